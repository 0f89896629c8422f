package io.qube.e2e;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real kubectl 1.32 against a running Qube, one namespace per test: what an operator types, and what it
 * prints. Skipped, loudly, only where kubectl is not installed.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class KubectlTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels:
                app: web
                tier: front
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.27
                    ports:
                    - containerPort: 80
                    env:
                    - name: MODE
                      value: fast
                    - name: EXTRA
                      value: "yes"
            """;

    @TestHTTPResource
    URL server;

    private Kubectl kubectl;
    private String namespace;

    @BeforeEach
    void namespace(TestInfo test) {
        Kubectl.assumeInstalled();
        kubectl = Kubectl.against(URI.create("http://127.0.0.1:" + server.getPort()));
        String method = test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        namespace = "e2e-" + method.substring(0, Math.min(20, method.length()));
        ok("create", "namespace", namespace);
    }

    private Kubectl.Result ok(String... args) {
        return kubectl.ok(args);
    }

    private Kubectl.Result in(String... args) {
        return kubectl.okIn(namespace, args);
    }

    private Kubectl.Result failing(String... args) {
        return kubectl.failing(args);
    }

    @Test
    void createFromAFileThenGetInEveryOutputFormat() {
        Path file = kubectl.manifest("deploy.yaml", DEPLOYMENT);
        assertThat(in("create", "-f", file.toString()).stdout()).contains("deployment.apps/web created");

        String table = in("get", "deployments").stdout();
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE");
        assertThat(table).containsPattern("web\\s+0/2\\s+0\\s+0\\s+\\d+s");
        assertThat(in("get", "deploy", "-o", "wide").stdout())
                .containsPattern("CONTAINERS\\s+IMAGES\\s+SELECTOR").contains("nginx:1.27").contains("app=web");
        assertThat(in("get", "deploy", "web", "-o", "yaml").stdout())
                .contains("kind: Deployment").contains("replicas: 2").contains("progressDeadlineSeconds: 600")
                .contains("resourceVersion:").contains("maxSurge: 25%");
        assertThat(in("get", "deploy", "web", "-o", "json").stdout()).contains("\"revisionHistoryLimit\": 10");
        assertThat(in("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}").stdout())
                .isEqualTo("nginx:1.27");
        assertThat(in("get", "deploy", "-o", "name").stdout().strip()).isEqualTo("deployment.apps/web");
    }

    @Test
    void selectorsLabelsAndAllNamespaces() {
        in("create", "configmap", "red", "--from-literal=a=1");
        in("create", "configmap", "blue", "--from-literal=a=1");
        in("label", "configmap", "red", "color=red", "size=big");
        in("label", "configmap", "blue", "color=blue");
        assertThat(in("get", "cm", "-l", "color in (red,green),size", "-o", "name").stdout().strip())
                .isEqualTo("configmap/red");
        assertThat(in("get", "cm", "-l", "color notin (red)", "-o", "name").stdout()).contains("configmap/blue")
                .doesNotContain("configmap/red");
        assertThat(in("get", "cm", "--show-labels").stdout()).containsPattern("red\\s+1\\s+\\S+\\s+color=red,size=big");
        assertThat(in("get", "cm", "--field-selector", "metadata.name=blue", "-o", "name").stdout().strip())
                .isEqualTo("configmap/blue");
        String everywhere = ok("get", "configmaps", "-A").stdout();
        assertThat(everywhere.lines().findFirst().orElseThrow()).startsWith("NAMESPACE");
        assertThat(everywhere).containsPattern(namespace + "\\s+red\\s+1");
        assertThat(ok("get", "namespaces").stdout()).containsPattern("kube-system\\s+Active");
    }

    @Test
    void watchSeesAddsUpdatesAndDeletes() throws Exception {
        try (Kubectl.Running watch = kubectl.start("-n", namespace, "get", "configmaps", "-w",
                "--output-watch-events")) {
            in("create", "configmap", "watched", "--from-literal=a=1");
            await().atMost(Duration.ofSeconds(30)).until(() -> watch.output().contains("ADDED"));
            in("annotate", "configmap", "watched", "note=changed");
            await().atMost(Duration.ofSeconds(30)).until(() -> watch.output().contains("MODIFIED"));
            in("delete", "configmap", "watched");
            await().atMost(Duration.ofSeconds(30)).until(() -> watch.output().contains("DELETED"));
            assertThat(watch.output()).containsPattern("ADDED\\s+watched\\s+1");
        }
    }

    @Test
    void imperativeCreatesAndDescribe() {
        in("create", "deployment", "api", "--image=busybox:1.36", "--replicas=3");
        in("create", "service", "clusterip", "api", "--tcp=80:8080");
        in("create", "configmap", "settings", "--from-literal=level=debug");
        in("create", "secret", "generic", "token", "--from-literal=password=s3cret");

        assertThat(in("get", "secret", "token", "-o", "jsonpath={.data.password}").stdout())
                .isEqualTo("czNjcmV0");
        assertThat(in("get", "svc", "api").stdout()).containsPattern("api\\s+ClusterIP\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+"
                + "<none>\\s+80/TCP");
        assertThat(in("describe", "deployment", "api").stdout()).containsPattern("Replicas:\\s+3 desired")
                .containsPattern("StrategyType:\\s+RollingUpdate").contains("busybox:1.36");
        assertThat(ok("describe", "namespace", namespace).stdout()).containsPattern("Status:\\s+Active");

        in("create", "-f", kubectl.manifest("pod.yaml", """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: solo
                spec:
                  containers:
                  - name: main
                    image: busybox
                """).toString());
        assertThat(in("describe", "pod", "solo").stdout()).containsPattern("Status:\\s+Pending")
                .contains("busybox").containsPattern("Restart Policy:|QoS Class:\\s+BestEffort");
        assertThat(in("get", "pods").stdout()).containsPattern("solo\\s+0/1\\s+Pending\\s+0");

        ok("create", "-f", kubectl.manifest("node.yaml", """
                apiVersion: v1
                kind: Node
                metadata:
                  name: node-%s
                  labels:
                    node-role.kubernetes.io/control-plane: ""
                status:
                  conditions:
                  - type: Ready
                    status: "True"
                    reason: KubeletReady
                    message: ready
                  nodeInfo:
                    kubeletVersion: v1.32.0
                    osImage: Debian
                    kernelVersion: "6.1"
                    containerRuntimeVersion: runc
                    architecture: amd64
                    operatingSystem: linux
                    bootID: ""
                    machineID: ""
                    systemUUID: ""
                    kubeProxyVersion: ""
                """.formatted(namespace)).toString());
        assertThat(ok("get", "node", "node-" + namespace).stdout())
                .containsPattern("node-" + namespace + "\\s+Ready\\s+control-plane\\s+\\S+\\s+v1.32.0");
        assertThat(ok("describe", "node", "node-" + namespace).stdout()).contains("KubeletReady");
        ok("delete", "node", "node-" + namespace);
    }

    @Test
    void applyTwiceRemovesWhatTheManifestDropped() {
        Path file = kubectl.manifest("web.yaml", DEPLOYMENT);
        assertThat(in("apply", "-f", file.toString()).stdout()).contains("deployment.apps/web created");
        assertThat(in("apply", "-f", file.toString()).stdout()).contains("deployment.apps/web unchanged");

        String withoutExtra = DEPLOYMENT.replace("        - name: EXTRA\n          value: \"yes\"\n", "");
        assertThat(withoutExtra).doesNotContain("EXTRA");
        Path trimmed = kubectl.manifest("web2.yaml", withoutExtra.replace("  replicas: 2\n", "")
                .replace("    tier: front\n", ""));
        assertThat(in("apply", "-f", trimmed.toString()).stdout()).contains("deployment.apps/web configured");
        String applied = in("get", "deploy", "web", "-o", "yaml").stdout();
        assertThat(applied).contains("name: MODE").doesNotContain("EXTRA").doesNotContain("tier: front")
                .contains("replicas: 1");
    }

    @Test
    void serverSideApplyDiffAndReplaceWithAStaleVersion() {
        Path file = kubectl.manifest("ssa.yaml", DEPLOYMENT);
        assertThat(in("apply", "--server-side", "-f", file.toString()).stdout())
                .contains("deployment.apps/web serverside-applied");
        assertThat(in("get", "deploy", "web", "-o", "jsonpath={.metadata.managedFields[0].manager}").stdout())
                .isEqualTo("kubectl");

        Kubectl.Result same = kubectl.run("-n", namespace, "diff", "-f", file.toString());
        assertThat(same.exitCode()).as(same.describe()).isZero();
        Path changed = kubectl.manifest("changed.yaml", DEPLOYMENT.replace("replicas: 2", "replicas: 5"));
        Kubectl.Result different = kubectl.run("-n", namespace, "diff", "-f", changed.toString());
        assertThat(different.exitCode()).as(different.describe()).isEqualTo(1);
        assertThat(different.stdout()).contains("-  replicas: 2").contains("+  replicas: 5");
        assertThat(in("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout()).isEqualTo("2");

        String current = in("get", "deploy", "web", "-o", "yaml").stdout();
        Path replacement = kubectl.manifest("replace.yaml", current.replace("replicas: 2", "replicas: 3"));
        assertThat(in("replace", "-f", replacement.toString()).stdout()).contains("deployment.apps/web replaced");
        Kubectl.Result stale = failing("-n", namespace, "replace", "-f", replacement.toString());
        assertThat(stale.stderr()).contains("the object has been modified");
    }

    @Test
    void patchLabelAnnotateAndScale() {
        in("create", "-f", kubectl.manifest("web.yaml", DEPLOYMENT).toString());
        in("patch", "deploy", "web", "--type=merge", "-p", "{\"metadata\":{\"labels\":{\"merged\":\"yes\"}}}");
        in("patch", "deploy", "web", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"nginx:1.28\"}]");
        in("patch", "deploy", "web", "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"env\":[{\"name\":\"NEW\","
                        + "\"value\":\"1\"}]}]}}}}");
        in("label", "deploy", "web", "team=core");
        in("annotate", "deploy", "web", "owner=ops");
        assertThat(in("scale", "deploy", "web", "--replicas=4").stdout()).contains("deployment.apps/web scaled");

        String yaml = in("get", "deploy", "web", "-o", "yaml").stdout();
        assertThat(yaml).contains("merged: \"yes\"").contains("image: nginx:1.28").contains("name: NEW")
                .contains("name: MODE").contains("team: core").contains("owner: ops").contains("replicas: 4");
        assertThat(in("get", "deploy", "web", "-o", "jsonpath={.metadata.generation}").stdout()).isEqualTo("4");
    }

    @Test
    void deleteByNameLabelFileAndANamespaceWithContent() {
        in("create", "configmap", "one", "--from-literal=a=1");
        in("create", "configmap", "two", "--from-literal=a=1");
        in("label", "cm", "two", "doomed=yes");
        Path file = kubectl.manifest("three.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: three\n");
        in("create", "-f", file.toString());

        assertThat(in("delete", "configmap", "one").stdout()).contains("configmap \"one\" deleted");
        assertThat(in("delete", "configmap", "-l", "doomed=yes").stdout()).contains("configmap \"two\" deleted");
        assertThat(in("delete", "-f", file.toString()).stdout()).contains("configmap \"three\" deleted");
        assertThat(in("get", "cm", "-o", "name").stdout()).isBlank();

        in("create", "configmap", "content", "--from-literal=a=1");
        assertThat(ok("delete", "namespace", namespace, "--timeout=60s").stdout())
                .contains("namespace \"" + namespace + "\" deleted");
        assertThat(failing("get", "namespace", namespace).stderr()).contains("NotFound");
    }

    @Test
    void waitForDeleteConditionAndJsonpath() throws Exception {
        in("create", "configmap", "flag", "--from-literal=state=off");
        try (Kubectl.Running waiting = kubectl.start("-n", namespace, "wait", "configmap/flag",
                "--for=jsonpath={.data.state}=on", "--timeout=60s")) {
            in("patch", "configmap", "flag", "--type=merge", "-p", "{\"data\":{\"state\":\"on\"}}");
            await().atMost(Duration.ofSeconds(60)).until(() -> waiting.output().contains("condition met"));
        }
        in("create", "-f", kubectl.manifest("web.yaml", DEPLOYMENT).toString());
        ok("-n", namespace, "patch", "deploy", "web", "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"conditions\":[{\"type\":\"Available\",\"status\":\"True\",\"reason\":\"Test\","
                        + "\"message\":\"up\",\"lastUpdateTime\":\"2026-01-01T00:00:00Z\","
                        + "\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}}");
        assertThat(in("wait", "deploy/web", "--for=condition=Available", "--timeout=30s").stdout())
                .contains("condition met");
        // A finalizer holds the object while kubectl starts waiting; removing it is what deletes it.
        in("patch", "configmap", "flag", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":[\"test/hold\"]}}");
        in("delete", "configmap", "flag", "--wait=false");
        try (Kubectl.Running waiting = kubectl.start("-n", namespace, "wait", "configmap/flag", "--for=delete",
                "--timeout=60s")) {
            in("patch", "configmap", "flag", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}");
            // kubectl says "condition met" when it saw the deletion, and nothing when the object was already gone
            // as it started: either way it must end successfully.
            await().atMost(Duration.ofSeconds(60)).until(waiting::succeeded);
        }
        assertThat(failing("-n", namespace, "get", "configmap", "flag").stderr()).contains("NotFound");
    }

    @Test
    void getEvents() {
        in("create", "-f", kubectl.manifest("event.yaml", """
                apiVersion: v1
                kind: Event
                metadata:
                  name: web.1
                involvedObject:
                  kind: Pod
                  name: web
                  namespace: %s
                reason: Started
                message: Started container web
                type: Normal
                count: 1
                firstTimestamp: "2026-01-01T00:00:00Z"
                lastTimestamp: "2026-01-01T00:00:00Z"
                source:
                  component: kubelet
                """.formatted(namespace)).toString());
        String events = in("get", "events").stdout();
        assertThat(events.lines().findFirst().orElseThrow()).matches("LAST SEEN\\s+TYPE\\s+REASON\\s+OBJECT\\s+MESSAGE");
        assertThat(events).containsPattern("Normal\\s+Started\\s+pod/web\\s+Started container web");
    }
}
