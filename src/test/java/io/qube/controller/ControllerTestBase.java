package io.qube.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.URL;

/**
 * What a controller's test against its @QuarkusTest API starts from: a {@link ControllerTestClient} on a fresh
 * namespace for each test, closed after it.
 */
public abstract class ControllerTestBase {

    @TestHTTPResource("/")
    protected URL server;

    protected ControllerTestClient cluster;
    protected KubernetesClient client;
    protected String namespace;

    /** The start of each test's namespace name. */
    protected abstract String namespacePrefix();

    @BeforeEach
    void connectToTheApi() {
        cluster = new ControllerTestClient(server, namespacePrefix());
        client = cluster.client;
        namespace = cluster.namespace;
    }

    @AfterEach
    void closeTheClient() {
        cluster.close();
    }
}
