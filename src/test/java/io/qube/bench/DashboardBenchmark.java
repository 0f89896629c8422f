package io.qube.bench;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import io.qube.test.Chromium;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The dashboard in Debian's headless Chromium against one packaged Qube holding 10,000 pods (bench/dashboard.sh):
 * (a) first paint of /dashboard/, (b) the pod list's first rows drawn (the page lists in pages of 500), (c) a click
 * on a row answered and (d) all 10,000 drawn, each from the start of the navigation, next to the baseline of the
 * same run: a plain HTTP client fetching the same 10,000-pod list whole.
 * Medians of ROUNDS fresh browser contexts (no cache carried over); the first, cold round is printed on its own.
 */
public final class DashboardBenchmark {

    private static final int ROUNDS = 5;
    private static final int CONCURRENT_WRITES = 32;

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        try {
            new DashboardBenchmark().run(pods);
        } finally {
            Children.stopAll();
        }
        System.exit(0);
    }

    private void run(int pods) throws Exception {
        Path work = Files.createTempDirectory("dashboard-bench");
        try (QubeServer server = QubeServer.start("dashboard", work.resolve("qube"), Map.of(), List.of("-Xmx2g"));
             Chromium chromium = Chromium.launch()) {
            progress("creating " + pods + " pods in namespace bench");
            post(server, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"bench\"}}");
            createPods(server, pods);

            double[] baseline = new double[ROUNDS];
            long bytes = 0;
            for (int i = 0; i < ROUNDS; i++) {
                long start = System.nanoTime();
                HttpResponse<byte[]> list = http.send(HttpRequest.newBuilder(URI.create(server.url("/api/v1/pods")))
                        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofByteArray());
                baseline[i] = (System.nanoTime() - start) / 1e6;
                bytes = list.body().length;
            }

            // The same list as the page reads it: pages of 500 following the continue token.
            double[] pagedBaseline = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                long start = System.nanoTime();
                String token = "";
                do {
                    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(server.url(
                            "/api/v1/pods?limit=500" + (token.isEmpty() ? "" : "&continue="
                                    + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8)))))
                            .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                    token = continueToken(page.body());
                } while (!token.isEmpty());
                pagedBaseline[i] = (System.nanoTime() - start) / 1e6;
            }

            double[] firstPaint = new double[ROUNDS];
            double[] firstRows = new double[ROUNDS];
            double[] listDrawn = new double[ROUNDS];
            double[] clickAnswered = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                try (BrowserContext context = chromium.browser.newContext(new com.microsoft.playwright.Browser
                        .NewContextOptions().setViewportSize(1400, 900))) {
                    Page page = context.newPage();
                    page.navigate(server.url("/dashboard/#/overview"));
                    firstPaint[i] = number(page.evaluate("new Promise(done => { const look = () => { "
                            + "const paint = performance.getEntriesByName('first-contentful-paint')[0]; "
                            + "paint ? done(paint.startTime) : setTimeout(look, 20); }; look(); })"));

                    page.navigate("about:blank");
                    long start = System.nanoTime();
                    page.navigate(server.url("/dashboard/#/pods"));
                    // Interactive: a click on a row (of the first page of the list) opens that pod.
                    page.locator("[role=row][data-key='bench/p-00003']").click(new com.microsoft.playwright.Locator
                            .ClickOptions().setTimeout(60_000));
                    page.waitForSelector("#pod-detail[data-pod='bench/p-00003']");
                    clickAnswered[i] = (System.nanoTime() - start) / 1e6;
                    firstRows[i] = number(page.evaluate(
                            "performance.getEntriesByName('pods-first-rows')[0].startTime"));
                    List<String> console = new java.util.concurrent.CopyOnWriteArrayList<>();
                    page.onConsoleMessage(message -> console.add(message.type() + ": " + message.text()));
                    try {
                        page.waitForSelector("body[data-pods-shown='" + pods + "']",
                                new Page.WaitForSelectorOptions().setTimeout(180_000)
                                        .setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
                    } catch (com.microsoft.playwright.TimeoutError e) {
                        throw new IllegalStateException("round " + i + ": the whole list was not drawn; the page "
                                + "says " + page.locator("#pod-count").textContent() + ", body "
                                + page.evaluate("JSON.stringify(document.body.dataset)") + ", console " + console, e);
                    }
                    listDrawn[i] = number(page.evaluate(
                            "performance.getEntriesByName('pods-interactive')[0].startTime"));
                    if (i == 0) {
                        progress(String.format("cold round: first paint %.0f ms, first rows %.0f ms, click answered "
                                + "%.0f ms, whole list drawn %.0f ms", firstPaint[i], firstRows[i], clickAnswered[i],
                                listDrawn[i]));
                    }
                }
            }
            System.out.println();
            System.out.printf("Dashboard, %,d pods (list JSON %.1f MB), medians of %d rounds:%n", pods, bytes / 1e6,
                    ROUNDS);
            System.out.printf("  baseline: plain HTTP GET /api/v1/pods, whole body  %7.0f ms%n", median(baseline));
            System.out.printf("  baseline: the same in pages of 500 (continue)    %7.0f ms%n", median(pagedBaseline));
            System.out.printf("  (a) first contentful paint of /dashboard/         %7.0f ms   (target < 1,000)%n",
                    median(firstPaint));
            System.out.printf("  (b) first rows of the pod list drawn              %7.0f ms%n", median(firstRows));
            System.out.printf("  (c) a click on a row answered (wall clock)        %7.0f ms   (target < 2,000)%n",
                    median(clickAnswered));
            System.out.printf("  (d) the whole %,d-pod list drawn                  %7.0f ms%n", pods, median(listDrawn));
        }
    }

    private void createPods(QubeServer server, int pods) throws Exception {
        Semaphore slots = new Semaphore(CONCURRENT_WRITES);
        List<CompletableFuture<?>> writes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < pods; i++) {
            slots.acquire();
            String body = ("{\"metadata\":{\"name\":\"p-%05d\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"containers\":"
                    + "[{\"name\":\"main\",\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"10m\"}}}]}}")
                    .formatted(i);
            writes.add(http.sendAsync(HttpRequest.newBuilder(URI.create(server.url("/api/v1/namespaces/bench/pods")))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> slots.release())
                    .thenAccept(response -> {
                        if (response.statusCode() != 201) {
                            throw new IllegalStateException("pod create: " + response.statusCode() + " "
                                    + response.body());
                        }
                    }));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        progress(String.format("created %d pods in %.1f s", pods, (System.nanoTime() - start) / 1e9));
    }

    private void post(QubeServer server, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.url(path)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + ": " + response.statusCode() + " " + response.body());
        }
    }

    /** Parsed whole, as the page parses each page too. */
    private static String continueToken(String list) throws java.io.IOException {
        return JSON.readTree(list).path("metadata").path("continue").asText("");
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void progress(String line) {
        System.err.println("dashboard-bench: " + line);
    }
}
