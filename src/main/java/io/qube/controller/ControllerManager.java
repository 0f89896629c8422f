package io.qube.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;
import io.qube.client.LeaderElection;
import io.qube.client.LocalServer;
import io.qube.controller.api.Controller;
import io.qube.controller.cronjob.CronJobController;
import io.qube.controller.deployment.DeploymentController;
import io.qube.controller.job.JobController;
import io.qube.controller.job.TtlAfterFinishedController;
import io.qube.controller.namespace.NamespaceController;
import io.qube.controller.replicaset.ReplicaSetController;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs the controllers in this process once its API is listening. They reach the API over HTTP like any client,
 * so they could as well run elsewhere; {@code qube.controllers.enabled=false} leaves them to another process. With
 * several control planes only the holder of the Lease kube-system/kube-controller-manager runs them.
 */
@ApplicationScoped
public class ControllerManager {

    private static final Logger LOG = Logger.getLogger(ControllerManager.class);
    static final String LEASE_NAME = "kube-controller-manager";

    @Inject
    ControllerSettings settings;

    @Inject
    ResourceRegistry registry;

    @Inject
    ValueRegistry values;

    @Inject
    MeterRegistry meters;

    private KubernetesClient client;
    private LeaderElection election;
    /** Starts and stops the controllers off the elector's thread: a start waits for informers to list. */
    private final ExecutorService terms = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "controller-manager");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Controller> running = new ArrayList<>();
    private SharedInformers informers;
    private boolean leading;

    /** On the server's start event: only then does the configuration hold the port it actually bound. */
    synchronized void start(@ObservesAsync HttpServerStart started) {
        if (!settings.enabled() || client != null) {
            return;
        }
        String url = LocalServer.url(values);
        // An empty base config: nothing from ~/.kube or the environment may redirect the controllers elsewhere.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .withRequestTimeout(30_000).build()).build();
        election = new LeaderElection(LEASE_NAME, settings.leaderElection(), meters, this::lead, this::stepDown);
        election.start(client);
    }

    private synchronized void lead() {
        leading = true;
        terms.execute(this::startControllers);
    }

    private synchronized void stepDown() {
        leading = false;
        terms.execute(this::stopControllers);
    }

    private void startControllers() {
        List<Controller> starting;
        SharedInformers shared;
        synchronized (this) {
            if (!leading || !running.isEmpty()) {
                return;
            }
            shared = informers = new SharedInformers(client);
            running.addAll(enabledControllers());
            starting = List.copyOf(running);
        }
        try {
            for (Controller controller : starting) {
                controller.start(shared);
            }
            LOG.infof("%d controllers running against %s", running.size(), client.getMasterUrl());
        } catch (RuntimeException e) {
            LOG.errorf(e, "the controllers could not start; trying again");
            stopControllers();
            synchronized (this) {
                if (leading) {
                    terms.execute(this::startControllers);
                }
            }
        }
    }

    private List<Controller> enabledControllers() {
        List<Controller> controllers = new ArrayList<>();
        if (settings.namespace().enabled()) {
            List<Class<? extends HasMetadata>> namespacedKinds = registry.all().stream()
                    .filter(ResourceDefinition::namespaced)
                    .filter(d -> !d.isCreateOnly())
                    .<Class<? extends HasMetadata>>map(ResourceDefinition::type)
                    .toList();
            controllers.add(new NamespaceController(client, namespacedKinds));
        }
        if (settings.replicaset().enabled()) {
            controllers.add(new ReplicaSetController(client, settings.replicaset().workers()));
        }
        if (settings.deployment().enabled()) {
            controllers.add(new DeploymentController(client, settings.deployment().workers()));
        }
        if (settings.job().enabled()) {
            controllers.add(new JobController(client, settings.job().workers()));
        }
        if (settings.cronjob().enabled()) {
            controllers.add(new CronJobController(client, settings.cronjob().workers()));
        }
        if (settings.ttlAfterFinished().enabled()) {
            controllers.add(new TtlAfterFinishedController(client, settings.ttlAfterFinished().workers(),
                    Clock.systemUTC()));
        }
        return controllers;
    }

    private synchronized void stopControllers() {
        if (!running.isEmpty()) {
            LOG.info("controllers stopped: no longer the leader");
        }
        running.forEach(Controller::close);
        running.clear();
        if (informers != null) {
            informers.close();
            informers = null;
        }
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        if (election != null) {
            election.close();
        }
        leading = false;
        stopControllers();
        terms.shutdownNow();
        if (client != null) {
            client.close();
        }
    }
}
