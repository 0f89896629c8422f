package io.qube.apiserver.discovery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Accept-header negotiation between the legacy and aggregated discovery forms, as Kubernetes does it. */
class DiscoveryFormatTest {

    @Test
    void kubectlGetsAggregatedV2() {
        assertThat(DiscoveryFormat.negotiate(DiscoveryTest.KUBECTL_ACCEPT)).isEqualTo(DiscoveryFormat.AGGREGATED_V2);
    }

    @Test
    void clientsThatNameNoAggregatedFormGetLegacy() {
        assertThat(DiscoveryFormat.negotiate(null)).isEqualTo(DiscoveryFormat.LEGACY); // fabric8 sends none
        assertThat(DiscoveryFormat.negotiate("application/json, */*")).isEqualTo(DiscoveryFormat.LEGACY);
        assertThat(DiscoveryFormat.negotiate("*/*")).isEqualTo(DiscoveryFormat.LEGACY);
        assertThat(DiscoveryFormat.negotiate("application/vnd.kubernetes.protobuf,application/json"))
                .isEqualTo(DiscoveryFormat.LEGACY);
    }

    @Test
    void weightsAndOrderDecide() {
        String v2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
        String v2beta1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
        assertThat(DiscoveryFormat.negotiate(v2beta1 + "," + v2)).isEqualTo(DiscoveryFormat.AGGREGATED_V2BETA1);
        assertThat(DiscoveryFormat.negotiate(v2beta1 + ";q=0.5," + v2)).isEqualTo(DiscoveryFormat.AGGREGATED_V2);
        assertThat(DiscoveryFormat.negotiate(v2 + ";q=0")).isEqualTo(DiscoveryFormat.LEGACY);
    }

    @Test
    void unknownVersionsAndForeignKindsAreSkipped() {
        assertThat(DiscoveryFormat.negotiate("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,"
                + "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"))
                .isEqualTo(DiscoveryFormat.AGGREGATED_V2);
        assertThat(DiscoveryFormat.negotiate("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"))
                .isEqualTo(DiscoveryFormat.LEGACY);
    }

    @Test
    void contentTypesCarryExactlyTheParametersKubectlChecks() {
        assertThat(DiscoveryFormat.AGGREGATED_V2.contentType())
                .isEqualTo("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        assertThat(DiscoveryFormat.LEGACY.contentType()).isEqualTo("application/json");
    }
}
