package io.qube.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.controller.namespace.NamespaceController;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import io.qube.client.LocalServer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Runs the controllers in this process once its API is listening. They reach the API over HTTP like any client,
 * so they could as well run elsewhere; {@code qube.controllers.enabled=false} leaves them to another process.
 */
@ApplicationScoped
public class ControllerManager {

    private static final Logger LOG = Logger.getLogger(ControllerManager.class);

    @Inject
    ControllerSettings settings;

    @Inject
    ResourceRegistry registry;

    @Inject
    ValueRegistry values;

    private KubernetesClient client;
    private NamespaceController namespaces;

    /** On the server's start event: only then does the configuration hold the port it actually bound. */
    synchronized void start(@ObservesAsync HttpServerStart started) {
        if (!settings.enabled() || client != null) {
            return;
        }
        String url = LocalServer.url(values);
        // An empty base config: nothing from ~/.kube or the environment may redirect the controllers elsewhere.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .build()).build();
        List<Class<? extends HasMetadata>> namespacedKinds = registry.all().stream()
                .filter(ResourceDefinition::namespaced)
                .filter(d -> !d.isCreateOnly())
                .<Class<? extends HasMetadata>>map(ResourceDefinition::type)
                .toList();
        namespaces = new NamespaceController(client, namespacedKinds);
        namespaces.start();
        LOG.infof("controllers running against %s", url);
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        if (namespaces != null) {
            namespaces.close();
        }
        if (client != null) {
            client.close();
        }
    }
}
