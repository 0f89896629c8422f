package io.qube.agent;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's log view (root project's /dashboard/) in Debian's headless Chromium, against the packaged control
 * plane and a real process-runtime agent: the log follows, so a line the container prints after the page opened
 * shows up in it. Only here, because the log comes from a node's agent and the root project's tests run none.
 * Bridge {@code dash0} and pods in 10.124.0.0/24 are this test's own.
 */
class DashboardLogsIT {

    private static final String NODE = "dash-node";
    private static final String BRIDGE = "dash0";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    private static QubeServer qube;
    private static KubernetesClient client;
    private static QubeAgent agent;
    private static Kubectl kubectl;
    private static Path work;
    private static Playwright playwright;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        qube = QubeServer.start();
        client = qube.client();
        kubectl = new Kubectl(qube.kubeconfig());
        work = Files.createTempDirectory("qube-dash-it");
        agent = QubeAgent.start(qube.kubeconfig(), NODE, work.resolve("state"), BRIDGE, "10.124.0.0/24");
        await().atMost(WAIT).until(() -> ready(client.nodes().withName(NODE).get()));
        // Debian's chromium, never a downloaded one (no internet; .ci/run installs the package); no sandbox as root.
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(Path.of("/usr/bin/chromium")).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-background-networking", "--disable-component-update")));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
            if (playwright != null) {
                playwright.close();
            }
            if (client != null) {
                client.pods().inNamespace("default").withGracePeriod(0).delete();
                await().atMost(WAIT).until(() -> client.pods().inNamespace("default").list().getItems().isEmpty());
            }
        } finally {
            if (agent != null) {
                agent.close();
            }
            if (client != null) {
                client.close();
            }
            if (qube != null) {
                qube.close();
            }
            new ProcessBuilder("ip", "link", "del", BRIDGE).start().waitFor();
            if (work != null) {
                ProcessCluster.keepLogs(work);
                ProcessCluster.deleteTree(work);
            }
        }
    }

    @Test
    void theLogViewShowsALinePrintedAfterThePageOpened() throws Exception {
        // The container prints its second line only once told to (a file in its emptyDir, made through exec),
        // which the test does after the page is showing the first.
        kubectl.ok("apply", "-f", Files.writeString(work.resolve("talker.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata: {name: talker}
                spec:
                  nodeName: %s
                  containers:
                  - name: main
                    image: busybox
                    command: [sh, -c, 'echo before the page; while [ ! -f /data/go ]; do sleep 0.2; done;
                      echo printed after the page opened; sleep 3600']
                    volumeMounts: [{name: data, mountPath: /data}]
                  volumes: [{name: data, emptyDir: {}}]
                """.formatted(NODE)).toString());
        await().atMost(WAIT).until(() -> {
            var pod = client.pods().inNamespace("default").withName("talker").get();
            return pod != null && "Running".equals(pod.getStatus().getPhase());
        });

        Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 900)).newPage();
        page.navigate(qube.url() + "/dashboard/#/pods?ns=default");
        page.locator("[role=row][data-key='default/talker']").click();
        assertThat(page.locator("#log")).containsText("before the page");
        assertThat(page.locator("#log")).not().containsText("printed after");

        kubectl.ok("exec", "talker", "--", "touch", "/data/go");
        assertThat(page.locator("#log")).containsText("printed after the page opened");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("pod-log.png")).setFullPage(true));

        page.navigate(qube.url() + "/dashboard/#/overview");
        assertThat(page.locator("#nodes [data-node='" + NODE + "']")).containsText("True");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("overview-with-node.png"))
                .setFullPage(true));
    }

    private static boolean ready(Node node) {
        return node != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }
}
