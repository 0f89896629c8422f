package io.qube.apiserver.kubernetesservice;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The cluster DNS Service ({@code qube.cluster-dns.*}). */
@ConfigMapping(prefix = "qube.cluster-dns")
public interface ClusterDnsSettings {

    /** Whether every apiserver makes {@code kube-system/kube-dns} when it is missing. */
    @WithDefault("true")
    boolean enabled();
}
