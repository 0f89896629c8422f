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
import io.qube.client.WatchEventDecoding;
import io.qube.client.WorkQueueMetrics;
import io.qube.controller.api.Controller;
import io.qube.controller.clusterroleaggregation.ClusterRoleAggregationController;
import io.qube.controller.cronjob.CronJobController;
import io.qube.controller.daemonset.DaemonSetController;
import io.qube.controller.deployment.DeploymentController;
import io.qube.controller.disruption.DisruptionController;
import io.qube.controller.endpoints.EndpointsController;
import io.qube.controller.endpointslice.EndpointSliceController;
import io.qube.controller.garbagecollector.GarbageCollector;
import io.qube.controller.job.JobController;
import io.qube.controller.job.TtlAfterFinishedController;
import io.qube.controller.namespace.NamespaceController;
import io.qube.controller.nodeipam.NodeIpamController;
import io.qube.controller.nodelifecycle.NodeLifecycleController;
import io.qube.controller.podautoscaler.HorizontalController;
import io.qube.controller.podgc.PodGarbageCollector;
import io.qube.controller.replicaset.ReplicaSetController;
import io.qube.controller.resourcequota.ResourceQuotaController;
import io.qube.controller.serviceaccount.ServiceAccountController;
import io.qube.controller.statefulset.StatefulSetController;
import io.qube.controller.volume.ClaimProtectionController;
import io.qube.controller.volume.PersistentVolumeController;
import io.qube.controller.volume.VolumeProtectionController;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

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

    /** Settings Kubernetes would refuse as flags stop the start, rather than a controller later. */
    void validate(@Observes StartupEvent event) {
        int perSlice = settings.endpointslice().maxEndpointsPerSlice();
        if (perSlice < 1 || perSlice > 1000) {
            throw new IllegalArgumentException("qube.controllers.endpointslice.max-endpoints-per-slice must be "
                    + "between 1 and 1000, not " + perSlice);
        }
        if (settings.nodeIpam().enabled()) {
            NodeIpamController.checkRanges(settings.nodeIpam().clusterCidr(), settings.nodeIpam().nodeCidrMaskSize());
        }
    }

    /** On the server's start event: only then does the configuration hold the port it actually bound. */
    synchronized void start(@ObservesAsync HttpServerStart started) {
        if (!settings.enabled() || client != null) {
            return;
        }
        String url = LocalServer.url(values);
        // An empty base config: nothing from ~/.kube or the environment may redirect the controllers elsewhere.
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(url)
                .withRequestTimeout(30_000).build())
                .withKubernetesSerialization(WatchEventDecoding.serialization()).build();
        // The controllers' queues report workqueue_* into this process's registry, as client-go's global provider.
        WorkQueueMetrics.use(meters);
        election = new LeaderElection(LEASE_NAME, settings.leaderElection(), meters, this::lead, this::stepDown);
        election.start(client);
    }

    /** This process's election, null before the API listens (or when the component is off). */
    synchronized LeaderElection election() {
        return election;
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
            // Side by side: each waits for its informers to list, and a new leader's ReplicaSets must not wait for
            // the garbage collector to take in every kind.
            ExecutorService starters = Executors.newFixedThreadPool(Math.max(1, starting.size()), r -> {
                Thread thread = new Thread(r, "controller-start");
                thread.setDaemon(true);
                return thread;
            });
            try {
                CompletableFuture.allOf(starting.stream()
                        .map(controller -> CompletableFuture.runAsync(() -> controller.start(shared.view()), starters))
                        .toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            } finally {
                starters.shutdown();
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
        // A kind served in a second version is watched, deleted and counted once, in the version it is stored in.
        // Custom resources have no model class to watch typed: namespace deletion and the garbage collector find
        // them from their CRDs.
        List<ResourceDefinition<?>> stored = registry.all().stream()
                .filter(d -> !d.isCreateOnly() && !d.isComputed() && d.storage() == d && !d.isCustom()).toList();
        if (settings.garbageCollector().enabled()) {
            // Events own nothing and are owned by nothing in practice, and they are most of the writes.
            controllers.add(new GarbageCollector(client, stored.stream().filter(d -> !d.kind().equals("Event"))
                    .<Class<? extends HasMetadata>>map(ResourceDefinition::type).toList(),
                    settings.garbageCollector().workers()));
        }
        if (settings.namespace().enabled()) {
            controllers.add(new NamespaceController(client, stored.stream().filter(ResourceDefinition::namespaced)
                    .<Class<? extends HasMetadata>>map(ResourceDefinition::type).toList()));
        }
        if (settings.nodeLifecycle().enabled()) {
            controllers.add(new NodeLifecycleController(client, settings.nodeLifecycle().monitorGracePeriod(),
                    settings.nodeLifecycle().monitorPeriod()));
        }
        if (settings.nodeIpam().enabled()) {
            controllers.add(new NodeIpamController(client, settings.nodeIpam().workers(),
                    settings.nodeIpam().clusterCidr(), settings.nodeIpam().nodeCidrMaskSize()));
        }
        if (settings.podGc().enabled()) {
            controllers.add(new PodGarbageCollector(client, settings.podGc().terminatedPodThreshold(),
                    settings.podGc().period()));
        }
        if (settings.replicaset().enabled()) {
            controllers.add(new ReplicaSetController(client, settings.replicaset().workers()));
        }
        if (settings.deployment().enabled()) {
            controllers.add(new DeploymentController(client, settings.deployment().workers()));
        }
        if (settings.daemonset().enabled()) {
            controllers.add(new DaemonSetController(client, settings.daemonset().workers()));
        }
        if (settings.statefulset().enabled()) {
            controllers.add(new StatefulSetController(client, settings.statefulset().workers()));
        }
        if (settings.endpoints().enabled()) {
            controllers.add(new EndpointsController(client, settings.endpoints().workers()));
        }
        if (settings.endpointslice().enabled()) {
            controllers.add(new EndpointSliceController(client, settings.endpointslice().workers(),
                    settings.endpointslice().maxEndpointsPerSlice()));
        }
        if (settings.serviceaccount().enabled()) {
            controllers.add(new ServiceAccountController(client, settings.serviceaccount().workers()));
        }
        if (settings.clusterroleAggregation().enabled()) {
            controllers.add(new ClusterRoleAggregationController(client, settings.clusterroleAggregation().workers()));
        }
        if (settings.job().enabled()) {
            controllers.add(new JobController(client, settings.job().workers()));
        }
        if (settings.cronjob().enabled()) {
            controllers.add(new CronJobController(client, settings.cronjob().workers()));
        }
        if (settings.resourcequota().enabled()) {
            controllers.add(new ResourceQuotaController(client, stored.stream().filter(ResourceDefinition::namespaced)
                    .collect(Collectors.toMap(ControllerManager::quotaName, ResourceDefinition::type)),
                    settings.resourcequota().workers()));
        }
        if (settings.disruption().enabled()) {
            controllers.add(new DisruptionController(client, settings.disruption().workers(),
                    settings.disruption().deletionTimeout(), Clock.systemUTC()));
        }
        if (settings.horizontalPodAutoscaler().enabled()) {
            ControllerSettings.HorizontalPodAutoscaler hpa = settings.horizontalPodAutoscaler();
            controllers.add(new HorizontalController(client, hpa.workers(), new HorizontalController.Settings(
                    hpa.syncPeriod(), hpa.tolerance(), hpa.cpuInitializationPeriod(), hpa.initialReadinessDelay(),
                    hpa.downscaleStabilization()), Clock.systemUTC()));
        }
        if (settings.ttlAfterFinished().enabled()) {
            controllers.add(new TtlAfterFinishedController(client, settings.ttlAfterFinished().workers(),
                    Clock.systemUTC()));
        }
        if (settings.persistentvolumeBinder().enabled()) {
            controllers.add(new PersistentVolumeController(client, settings.persistentvolumeBinder().workers()));
        }
        if (settings.pvcProtection().enabled()) {
            controllers.add(new ClaimProtectionController(client, settings.pvcProtection().workers()));
        }
        if (settings.pvProtection().enabled()) {
            controllers.add(new VolumeProtectionController(client, settings.pvProtection().workers()));
        }
        return controllers;
    }

    /** How a quota's count/&lt;resource&gt; names a kind: "pods" in the core group, else "deployments.apps". */
    private static String quotaName(ResourceDefinition<?> definition) {
        return definition.group().isEmpty() ? definition.plural() : definition.plural() + "." + definition.group();
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
