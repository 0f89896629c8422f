package io.qube.apiserver.kubernetesservice;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** How this apiserver appears behind the {@code default/kubernetes} service ({@code qube.apiserver.*}). */
@ConfigMapping(prefix = "qube.apiserver")
public interface ApiServerSettings {

    /**
     * kube-apiserver's --advertise-address: the IP the kubernetes service's endpoints give for this apiserver.
     * Default: the address it listens on ({@code quarkus.http.host}), and when that is every address, the one
     * this machine's default route leaves from.
     */
    Optional<String> advertiseAddress();

    /**
     * kube-apiserver's --endpoint-reconciler-type: {@code lease} (each apiserver keeps a Lease in kube-system and
     * the endpoints list the addresses of the unexpired ones) or {@code none} (the service is kept, its
     * endpoints are left alone).
     */
    @WithDefault("lease")
    String endpointReconcilerType();

    /** How often the service, this apiserver's lease and the endpoints are checked (Kubernetes: 10 s). */
    @WithDefault("10s")
    Duration endpointReconcileInterval();

    /** How long an apiserver's lease holds without renewal before its address leaves the endpoints (15 s). */
    @WithDefault("15s")
    Duration endpointLeaseDuration();
}
