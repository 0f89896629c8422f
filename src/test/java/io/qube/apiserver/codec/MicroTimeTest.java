package io.qube.apiserver.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** MicroTime fields (a Lease's acquireTime and renewTime are java.time values in the model) decode and encode. */
class MicroTimeTest {

    private static final String LEASE = """
            {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "worker-1", "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": "worker-1", "leaseDurationSeconds": 40,
                      "acquireTime": "2025-01-01T00:00:00.123456Z", "renewTime": "2025-01-01T00:00:10.654321Z"}}
            """;

    @Test
    void aLeaseKeepsItsMicroTimesToTheMicrosecond() {
        ObjectNode sent = ObjectCodec.parseBody(LEASE.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);

        Decoded<Lease> decoded = ObjectCodec.toTyped(sent, Lease.class);

        assertThat(decoded.unknownFields()).isEmpty();
        assertThat(decoded.object().getSpec().getRenewTime().toInstant())
                .isEqualTo(Instant.parse("2025-01-01T00:00:10.654321Z"));
        ObjectNode stored = ObjectCodec.toTree(decoded.object());
        assertThat(stored.path("spec").path("acquireTime").asText()).isEqualTo("2025-01-01T00:00:00.123456Z");
        assertThat(stored.path("spec").path("renewTime").asText()).isEqualTo("2025-01-01T00:00:10.654321Z");
    }

    @Test
    void theYamlMapperReadsThemToo() throws Exception {
        Lease lease = Json.YAML.readValue("""
                apiVersion: coordination.k8s.io/v1
                kind: Lease
                metadata: {name: worker-1}
                spec: {renewTime: "2025-01-01T00:00:10.654321Z"}
                """, Lease.class);

        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(Instant.parse("2025-01-01T00:00:10.654321Z"));
    }
}
