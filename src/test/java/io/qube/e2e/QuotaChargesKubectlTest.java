package io.qube.e2e;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URL;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quota admission's own charges, through the real kubectl, with no quota controller running (the API's test
 * profile): a quota's status is set by hand as the controller would have counted it, so every change to it seen
 * here is admission's.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class QuotaChargesKubectlTest {

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;
    private String namespace;

    @BeforeEach
    void namespace(TestInfo test) {
        kubectl = Kubectl.forTestServer(server);
        namespace = Kubectl.namespaceFor(test, "qc-");
        kubectl.ok("create", "namespace", namespace);
    }

    @Test
    void createsAndAServicesChangeOfTypeAreChargedWhatTheyAdd() {
        counted("exposure", "{\"services\":\"2\",\"services.nodeports\":\"1\",\"services.loadbalancers\":\"0\"}",
                "{\"services\":\"0\",\"services.nodeports\":\"0\",\"services.loadbalancers\":\"0\"}");

        in("create", "service", "clusterip", "web", "--tcp=80:8080");
        assertThat(used("exposure")).isEqualTo(
                "{\"services\":\"1\",\"services.loadbalancers\":\"0\",\"services.nodeports\":\"0\"}");
        in("patch", "service", "web", "-p", "{\"spec\":{\"type\":\"NodePort\"}}");
        assertThat(used("exposure")).isEqualTo(
                "{\"services\":\"1\",\"services.loadbalancers\":\"0\",\"services.nodeports\":\"1\"}");
        // A change that adds nothing the quota counts charges nothing.
        in("patch", "service", "web", "-p", "{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}");
        assertThat(used("exposure")).isEqualTo(
                "{\"services\":\"1\",\"services.loadbalancers\":\"0\",\"services.nodeports\":\"1\"}");

        assertThat(kubectl.failing("-n", namespace, "patch", "service", "web", "-p",
                "{\"spec\":{\"type\":\"LoadBalancer\"}}").stderr())
                .contains("services \"web\" is forbidden: exceeded quota: exposure, requested: "
                        + "services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0");
        assertThat(in("get", "service", "web", "-o", "jsonpath={.spec.type}").stdout()).isEqualTo("NodePort");
        assertThat(kubectl.failing("-n", namespace, "create", "service", "nodeport", "other", "--tcp=80:8080")
                .stderr()).contains("services \"other\" is forbidden: exceeded quota: exposure, requested: "
                        + "services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1");
        // A dry run is checked but charges nothing; a name taken already is not charged for its failing create.
        in("create", "service", "clusterip", "dry", "--tcp=80:8080", "--dry-run=server");
        kubectl.failing("-n", namespace, "create", "service", "clusterip", "web", "--tcp=80:8080");
        assertThat(used("exposure")).isEqualTo(
                "{\"services\":\"1\",\"services.loadbalancers\":\"0\",\"services.nodeports\":\"1\"}");
    }

    @Test
    void aQuotaNotCountedYetRestrictsNothingAndOneCountedInPartRefuses() {
        in("create", "quota", "fresh", "--hard=configmaps=1");
        in("create", "configmap", "first");
        assertThat(in("get", "quota", "fresh", "-o", "jsonpath={.status}").stdout()).isEmpty();

        counted("partial", "{\"configmaps\":\"5\",\"count/configmaps\":\"5\"}", "{\"configmaps\":\"1\"}");
        assertThat(kubectl.failing("-n", namespace, "create", "configmap", "second").stderr())
                .contains("configmaps \"second\" is forbidden: status unknown for quota: partial, resources: "
                        + "configmaps,count/configmaps");
    }

    /** Sets a quota's status as the quota controller would have counted it. */
    private void counted(String name, String hard, String used) {
        in("create", "quota", name, "--hard=" + hard.replaceAll("[{}\"]", "").replace(':', '='));
        in("patch", "quota", name, "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"hard\":" + hard + ",\"used\":" + used + "}}");
    }

    private String used(String quota) {
        return in("get", "quota", quota, "-o", "jsonpath={.status.used}").stdout();
    }

    private Kubectl.Result in(String... args) {
        return kubectl.okIn(namespace, args);
    }
}
