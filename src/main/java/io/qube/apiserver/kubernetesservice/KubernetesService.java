package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.qube.apiserver.kubernetesservice.MasterEndpoints.ApiServer;
import io.qube.client.LocalServer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.value.registry.ValueRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@code default/kubernetes} Service, its Endpoints and EndpointSlices, as every kube-apiserver keeps them
 * (its kubernetes-service controller and endpoint reconciler): created once this apiserver listens, then checked
 * every {@code qube.apiserver.endpoint-reconcile-interval} and put right when they differ. Several apiservers on
 * one database agree rather than fight: each renews its own Lease ({@link ApiServerLeases}) and all derive the
 * same endpoints from the set of unexpired leases ({@link MasterEndpoints}). It works as a client of this process's
 * own API, as kube-apiserver's controller uses a loopback client. The same rounds keep the cluster's addons: the
 * cluster DNS Service ({@link ClusterDnsService}), as kubeadm's would have made it, the default StorageClass
 * ({@link LocalPathStorageClass}), as k3s's, and, once per start, the default RBAC roles and bindings
 * ({@link RbacBootstrap}), as kube-apiserver's own bootstrap.
 */
@ApplicationScoped
public class KubernetesService {

    private static final Logger LOG = Logger.getLogger(KubernetesService.class);

    @Inject
    ApiServerSettings settings;

    @Inject
    ValueRegistry values;

    @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0")
    String bindHost;

    @Inject
    ClusterDnsSettings clusterDns;

    @Inject
    LocalPathSettings storage;

    private KubernetesClient client;
    private ScheduledExecutorService timer;
    private ApiServerLeases leases;
    private ApiServer self;
    private boolean warnedAboutService;
    private boolean rbacBootstrapped;
    private volatile boolean stopped;

    /** Settings kube-apiserver would refuse as flags stop the start. */
    void validate(@Observes StartupEvent event) {
        String type = settings.endpointReconcilerType();
        if (!type.equals("lease") && !type.equals("none")) {
            throw new IllegalArgumentException("qube.apiserver.endpoint-reconciler-type must be lease or none, not "
                    + type);
        }
        AdvertiseAddress.resolve(settings.advertiseAddress(), bindHost);
        if (settings.endpointLeaseDuration().compareTo(settings.endpointReconcileInterval()) <= 0) {
            throw new IllegalArgumentException("qube.apiserver.endpoint-lease-duration must be longer than "
                    + "qube.apiserver.endpoint-reconcile-interval");
        }
    }

    /** On the server's start event: only then is the port it actually bound known. */
    synchronized void start(@ObservesAsync HttpServerStart started) {
        if (client != null) {
            return;
        }
        self = new ApiServer(AdvertiseAddress.resolve(settings.advertiseAddress(), bindHost), LocalServer.port(values));
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
                .withMasterUrl(LocalServer.url(values)).withRequestTimeout(10_000).build()).build();
        if (settings.endpointReconcilerType().equals("lease")) {
            leases = new ApiServerLeases(client, hostName(), self, settings.endpointLeaseDuration(), Clock.systemUTC());
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "kubernetes-service");
            thread.setDaemon(true);
            return thread;
        });
        LOG.debugf("the kubernetes service leads to this apiserver at %s:%d", self.address(), self.port());
        timer.scheduleWithFixedDelay(this::reconcile, 0, settings.endpointReconcileInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void reconcile() {
        try {
            List<ApiServer> live;
            if (leases != null) {
                leases.renew();
                live = leases.live();
            } else {
                live = List.of(self);
            }
            int targetPort = MasterEndpoints.targetPort(live, self.port());
            ensureService(targetPort);
            if (leases != null) {
                ensureEndpoints(live, targetPort);
            }
        } catch (KubernetesClientException e) {
            // A conflict with another apiserver's write, or the API not answering: the next round tries again.
            LOG.debugf("the kubernetes service: %s", e.getMessage());
        } catch (RuntimeException e) {
            if (!stopped) {
                LOG.warnf(e, "the kubernetes service could not be reconciled");
            }
        }
        // Each on its own: kube-dns failing (its address taken, kube-system missing) must not hold the above up.
        if (clusterDns.enabled()) {
            ensureAddon("the kube-dns service", ClusterDnsService::ensure);
        }
        if (storage.enabled()) {
            ensureAddon("the local-path storage class", LocalPathStorageClass::ensure);
        }
        // Once per start, as kube-apiserver's post-start hook: a user's later edits are theirs until a restart.
        if (!rbacBootstrapped) {
            rbacBootstrapped = ensureAddon("the default RBAC policy", RbacBootstrap::ensure);
        }
    }

    /** @return whether the addon is as it should be now */
    private boolean ensureAddon(String what, Consumer<KubernetesClient> ensure) {
        try {
            ensure.accept(client);
            return true;
        } catch (KubernetesClientException e) {
            LOG.debugf("%s: %s", what, e.getMessage());
        } catch (RuntimeException e) {
            if (!stopped) {
                LOG.warnf(e, "%s could not be reconciled", what);
            }
        }
        return false;
    }

    private void ensureService(int targetPort) {
        Service current = client.services().inNamespace(MasterEndpoints.NAMESPACE).withName(MasterEndpoints.NAME)
                .get();
        try {
            if (current == null) {
                client.services().inNamespace(MasterEndpoints.NAMESPACE)
                        .resource(MasterEndpoints.service(targetPort)).create();
            } else if (!MasterEndpoints.serviceCorrect(current, targetPort)) {
                LOG.infof("resetting the kubernetes service to port %d -> %d", MasterEndpoints.SERVICE_PORT,
                        targetPort);
                client.services().inNamespace(MasterEndpoints.NAMESPACE)
                        .resource(MasterEndpoints.corrected(current, targetPort)).update();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return; // another apiserver wrote it meanwhile
            }
            if (e.getCode() == 422 && !warnedAboutService) {
                warnedAboutService = true;
                LOG.warnf("the kubernetes service cannot be created: %s", e.getMessage());
                return;
            }
            throw e;
        }
    }

    /** The Endpoints and slices for these apiservers, written where they differ (Kubernetes' EndpointsAdapter). */
    private void ensureEndpoints(List<ApiServer> live, int targetPort) {
        Endpoints wanted = MasterEndpoints.endpoints(live, targetPort);
        Endpoints current = client.endpoints().inNamespace(MasterEndpoints.NAMESPACE).withName(MasterEndpoints.NAME)
                .get();
        if (current == null) {
            client.endpoints().inNamespace(MasterEndpoints.NAMESPACE).resource(wanted).create();
        } else if (!MasterEndpoints.sameEndpoints(current, wanted)) {
            wanted.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            client.endpoints().inNamespace(MasterEndpoints.NAMESPACE).resource(wanted).update();
        }
        Map<String, EndpointSlice> slices = MasterEndpoints.slices(live, targetPort);
        List<EndpointSlice> existing = new ArrayList<>(client.discovery().v1().endpointSlices()
                .inNamespace(MasterEndpoints.NAMESPACE)
                .withLabel(MasterEndpoints.SERVICE_NAME_LABEL, MasterEndpoints.NAME).list().getItems());
        for (EndpointSlice slice : existing) {
            EndpointSlice want = slices.get(slice.getMetadata().getName());
            if (want == null || !want.getAddressType().equals(slice.getAddressType())) {
                // Not one of ours, or of the other address type (which cannot change): it goes.
                client.discovery().v1().endpointSlices().inNamespace(MasterEndpoints.NAMESPACE)
                        .withName(slice.getMetadata().getName()).delete();
                continue;
            }
            slices.remove(slice.getMetadata().getName());
            if (!MasterEndpoints.sameSlice(slice, want)) {
                want.getMetadata().setResourceVersion(slice.getMetadata().getResourceVersion());
                client.discovery().v1().endpointSlices().inNamespace(MasterEndpoints.NAMESPACE).resource(want)
                        .update();
            }
        }
        for (EndpointSlice slice : slices.values()) {
            client.discovery().v1().endpointSlices().inNamespace(MasterEndpoints.NAMESPACE).resource(slice).create();
        }
    }

    /**
     * Stops reconciling. The lease is not released, unlike kube-apiserver's: by the time Quarkus announces its
     * shutdown this process's API no longer answers (a request would only hold the shutdown up), so the other
     * apiservers drop this one's address when its lease expires, as after a crash.
     */
    synchronized void stop(@Observes ShutdownEvent event) {
        stopped = true;
        if (timer != null) {
            timer.shutdownNow();
            client.close();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "qube";
        }
    }
}
