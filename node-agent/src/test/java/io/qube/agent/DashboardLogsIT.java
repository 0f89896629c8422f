package io.qube.agent;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's log view (root project's /dashboard/) in Debian's headless Chromium, against the packaged control
 * plane and a real process-runtime agent: the log follows, so a line the container prints after the page opened
 * shows up in it. Only here, because the log comes from a node's agent and the root project's tests run none.
 * Bridge {@code dash0} and pods in 10.124.0.0/24 are this test's own.
 */
class DashboardLogsIT {

    private static final String NODE = "dash-0";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    private static ProcessCluster cluster;
    private static Playwright playwright;
    private static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        cluster = ProcessCluster.start(Map.of(), 1, "dash", new ProcessCluster.Network("dash", "10.124."));
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
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void theLogViewShowsALinePrintedAfterThePageOpened() throws Exception {
        // The container prints its second line only once told to (a file in its emptyDir, made through exec),
        // which the test does after the page is showing the first.
        cluster.kubectl.ok("apply", "-f", Files.writeString(cluster.work().resolve("talker.yaml"), """
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
            var pod = cluster.client.pods().inNamespace("default").withName("talker").get();
            return pod != null && "Running".equals(pod.getStatus().getPhase());
        });

        Page page = browser.newContext(new Browser.NewContextOptions().setViewportSize(1400, 900)).newPage();
        // The test's own patience for every wait on the page (Playwright's default is 30 s).
        page.setDefaultTimeout(WAIT.toMillis());
        Traffic traffic = recordTraffic(page);
        page.navigate(cluster.qube.url() + "/dashboard/#/pods?ns=default");
        try {
            page.locator("[role=row][data-key='default/talker']").click();
        } catch (PlaywrightException e) {
            page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("pod-log-no-row.png")));
            // The page as it is now (no wait: the application may never have drawn its main element).
            throw new AssertionError("no row for the pod; the page saw: " + traffic.seen() + "; still unanswered: "
                    + traffic.unanswered().values() + "; its document: " + page.content(), e);
        }
        assertThat(page.locator("#log")).containsText("before the page");
        assertThat(page.locator("#log")).not().containsText("printed after");

        cluster.kubectl.ok("exec", "talker", "--", "touch", "/data/go");
        assertThat(page.locator("#log")).containsText("printed after the page opened");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("pod-log.png")).setFullPage(true));

        page.navigate(cluster.qube.url() + "/dashboard/#/overview");
        assertThat(page.locator("#nodes [data-node='" + NODE + "']")).containsText("True");
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve("overview-with-node.png"))
                .setFullPage(true));
    }

    /**
     * The page's console, API requests, failed requests and error answers, timed from now, and at the end the
     * requests still unanswered (a module the page waits for, say): what a failure message needs.
     */
    private static Traffic recordTraffic(Page page) {
        long start = System.nanoTime();
        List<String> seen = new CopyOnWriteArrayList<>();
        Map<Request, String> unanswered = new ConcurrentHashMap<>();
        Function<String, String> at = what -> (System.nanoTime() - start) / 1_000_000 + " ms " + what;
        page.onConsoleMessage(message -> seen.add(at.apply("console " + message.type() + ": " + message.text())));
        page.onPageError(error -> seen.add(at.apply("uncaught " + error)));
        page.onRequest(request -> {
            unanswered.put(request, at.apply(request.url()));
            if (!request.url().contains("/dashboard/")) {
                seen.add(at.apply("request " + request.url()));
            }
        });
        page.onRequestFinished(unanswered::remove);
        page.onRequestFailed(request -> {
            unanswered.remove(request);
            seen.add(at.apply("failed " + request.url() + ": " + request.failure()));
        });
        page.onResponse(response -> {
            if (response.status() >= 400) {
                seen.add(at.apply(response.status() + " " + response.url()));
            }
        });
        return new Traffic(seen, unanswered);
    }

    private record Traffic(List<String> seen, Map<Request, String> unanswered) {
    }
}
