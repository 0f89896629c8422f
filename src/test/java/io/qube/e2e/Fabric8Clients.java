package io.qube.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.URL;

/** The fabric8 client as the suites build it: configured only by the test (never ~/.kube or the environment). */
public final class Fabric8Clients {

    private Fabric8Clients() {
    }

    public static KubernetesClient to(URL server) {
        return to(server.getHost(), server.getPort());
    }

    static KubernetesClient to(String host, int port) {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl("http://" + host + ":" + port + "/")
                .withRequestTimeout(60_000)
                // A cut-off watch tries again soon (the default starts at a second and doubles).
                .withWatchReconnectInterval(200)
                .build()).build();
    }

    /** Creates the namespace unless it exists already (test methods share a server). */
    static void ensureNamespace(KubernetesClient client, String name) {
        if (client.namespaces().withName(name).get() == null) {
            try {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                        .build()).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        }
    }
}
