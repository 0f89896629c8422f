package io.qube.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.net.URL;

/** A test that talks to the test's Qube through a fabric8 client, opened before and closed after each test method. */
abstract class Fabric8ServerTest {

    @TestHTTPResource("/")
    URL server;

    KubernetesClient client;

    @BeforeEach
    void connect() {
        client = Fabric8Clients.to(server);
    }

    @AfterEach
    void close() {
        client.close();
    }
}
