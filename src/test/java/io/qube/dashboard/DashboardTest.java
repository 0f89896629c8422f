package io.qube.dashboard;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.qube.e2e.Fabric8Clients;
import io.qube.test.Chromium;
import io.qube.test.EmbeddedPostgresResource;
import io.qube.test.Kubectl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in Debian's headless Chromium against this test's control plane: what it shows, that it follows
 * changes made elsewhere (fabric8) without a reload, that its actions reach the API, and what it says when the API
 * cannot be reached. Screenshots of every page are left in target/dashboard-screenshots.
 */
@QuarkusTest
@WithTestResource(EmbeddedPostgresResource.class)
class DashboardTest {

    static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    private static Chromium chromium;

    @TestHTTPResource("/dashboard/")
    URL dashboard;

    @TestHTTPResource
    URL server;

    private KubernetesClient client;
    private BrowserContext browser;
    private Page page;
    private String namespace;

    @BeforeAll
    static void launch() {
        chromium = Chromium.launch();
    }

    @AfterAll
    static void quit() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void open(TestInfo test) {
        client = Fabric8Clients.to(server);
        namespace = Kubectl.namespaceFor(test, "dash-");
        if (client.namespaces().withName(namespace).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata()
                    .build()).create();
        }
        browser = chromium.browser.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(1400, 900));
        page = browser.newPage();
    }

    @AfterEach
    void close() {
        browser.close();
        client.close();
    }

    private void show(String route) {
        page.navigate(dashboard + "#/" + route + (route.contains("?") ? "&" : "?") + "ns=" + namespace);
    }

    private void screenshot(String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox").endContainer().endSpec()
                .build();
    }

    @Test
    void thePagesComeFromTheJarAndTheBareNameRedirects() {
        given().redirects().follow(false).get("/dashboard").then().statusCode(302)
                .header("Location", endsWith("/dashboard/"));
        given().get("/dashboard/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("js/app.js"));
        // The front-end library is served by this process from its Maven dependency, not from the internet.
        given().get("/_static/htm/3.1.1/preact/standalone.module.js").then().statusCode(200)
                .body(containsString("useState"));
    }

    @Test
    void theOverviewLoadsWithCountsNodesAndWarnings() {
        client.pods().inNamespace(namespace).resource(pod("counted")).create();
        client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata().withName("warned")
                .endMetadata().withType("Warning").withReason("BackOff").withMessage("Back-off restarting failed container")
                .withNewInvolvedObject().withKind("Pod").withName("counted").withNamespace(namespace)
                .endInvolvedObject().withLastTimestamp(Instant.now().toString()).build()).create();
        show("overview");
        assertThat(page.locator("#pod-phases [data-phase=Pending] .number")).hasText("1");
        assertThat(page.locator("#warnings")).containsText("Back-off restarting failed container");
        assertThat(page.locator(".count[data-kind=Deployments] .number")).hasText("0");
        // No agent runs here, but other tests of this shared server may have stored Node objects: the page shows
        // what the API holds, a row per node or the "none registered" line.
        List<String> nodes = client.nodes().list().getItems().stream().map(node -> node.getMetadata().getName())
                .toList();
        if (nodes.isEmpty()) {
            assertThat(page.locator("#no-nodes")).isVisible();
        }
        for (String node : nodes) {
            assertThat(page.locator("#nodes tr[data-node='" + node + "']")).isVisible();
        }
        screenshot("overview");
    }

    @Test
    void aPodCreatedElsewhereAppearsWithinTwoSecondsWithoutReload() {
        show("pods");
        assertThat(page.locator("#pod-count")).hasText("0 pods");
        page.evaluate("window.sameDocument = true");
        client.pods().inNamespace(namespace).resource(pod("arrives")).create();
        assertThat(page.locator("[role=row][data-key='" + namespace + "/arrives']"))
                .isVisible(new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions().setTimeout(2000));
        assertThat(page.evaluate("window.sameDocument")).isEqualTo(true);
        page.locator("[role=row][data-key='" + namespace + "/arrives']").click();
        assertThat(page.locator("#pod-detail")).containsText("busybox");
        // No node was assigned: the log view says why it has nothing, in the API's words.
        assertThat(page.locator("#log-problem")).containsText("does not have a host assigned");
        screenshot("pods");

        page.locator("#delete-pod").click();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                client.pods().inNamespace(namespace).withName("arrives").get() == null);
        assertThat(page.locator("#pod-count")).hasText("0 pods");
    }

    @Test
    void scalingADeploymentFromThePageChangesItsReplicas() {
        Deployment web = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().withNewSpec()
                .withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata().withNewSpec()
                .addNewContainer().withName("web").withImage("nginx").endContainer().endSpec().endTemplate()
                .endSpec().build();
        client.apps().deployments().inNamespace(namespace).resource(web).create();
        show("workloads");
        Locator row = page.locator("[role=row][data-key='Deployment/" + namespace + "/web']");
        assertThat(row.locator(".ready")).hasText("0/2");
        row.locator("input.replicas").fill("5");
        row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Scale")).click();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                client.apps().deployments().inNamespace(namespace).withName("web").get().getSpec().getReplicas() == 5);
        // The page hears of its own change on the watch, as of anyone's.
        assertThat(row.locator(".ready")).hasText("0/5");

        row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Restart")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.apps().deployments().inNamespace(namespace)
                .withName("web").get().getSpec().getTemplate().getMetadata().getAnnotations()
                .containsKey("kubectl.kubernetes.io/restartedAt"));
        screenshot("workloads");
    }

    @Test
    void servicesShowTheirEndpointsAndEventsFeedLive() {
        client.services().inNamespace(namespace).resource(new ServiceBuilder().withNewMetadata().withName("api")
                .endMetadata().withNewSpec().addNewPort().withPort(80).endPort().withSelector(Map.of("app", "api"))
                .endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace(namespace).resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("api-1").withLabels(Map.of("kubernetes.io/service-name", "api"))
                .endMetadata().withAddressType("IPv4").addNewPort().withPort(8080).endPort()
                .addNewEndpoint().withAddresses("10.124.0.7").withNewConditions().withReady(true).endConditions()
                .endEndpoint().build()).create();
        show("services");
        assertThat(page.locator("[role=row][data-key='" + namespace + "/api']")).containsText("10.124.0.7:8080");
        screenshot("services");

        show("events");
        client.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata().withName("live")
                .endMetadata().withType("Normal").withReason("Scheduled").withMessage("assigned somewhere")
                .withNewInvolvedObject().withKind("Pod").withName("p").withNamespace(namespace).endInvolvedObject()
                .withLastTimestamp(Instant.now().toString()).build()).create();
        assertThat(page.getByRole(AriaRole.TABLE)).containsText("assigned somewhere");
        screenshot("events");
    }

    @Test
    void anUnreachableApiShowsTheMessageAndTheDashboardRecovers() {
        client.pods().inNamespace(namespace).resource(pod("waiting")).create();
        // Every API request fails as if the apiserver were down; the page and its scripts still load.
        page.route(url -> url.contains("/api/") || url.contains("/apis/"), route -> route.abort("connectionrefused"));
        show("pods");
        assertThat(page.locator("#api-unreachable")).containsText("The Kubernetes API is unreachable");
        screenshot("unreachable");
        page.unrouteAll();
        // The retries back off but keep going: the banner goes once the API answers again.
        assertThat(page.locator("#api-unreachable")).isHidden(
                new com.microsoft.playwright.assertions.LocatorAssertions.IsHiddenOptions().setTimeout(20_000));
        assertThat(page.locator("[role=row][data-key='" + namespace + "/waiting']")).isVisible();
    }
}
