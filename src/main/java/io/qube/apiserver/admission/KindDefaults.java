package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.qube.apiserver.registry.Defaulter;

/** Kubernetes' defaults for each served kind. */
public final class KindDefaults {

    private KindDefaults() {
    }

    public static Defaulter<Namespace> namespace() {
        return object -> { };
    }

    public static Defaulter<Node> node() {
        return object -> { };
    }

    public static Defaulter<Pod> pod() {
        return object -> { };
    }

    public static Defaulter<Binding> binding() {
        return object -> { };
    }

    public static Defaulter<Service> service() {
        return object -> { };
    }

    public static Defaulter<Endpoints> endpoints() {
        return object -> { };
    }

    public static Defaulter<ConfigMap> configMap() {
        return object -> { };
    }

    public static Defaulter<Secret> secret() {
        return object -> { };
    }

    public static Defaulter<ServiceAccount> serviceAccount() {
        return object -> { };
    }

    public static Defaulter<Event> event() {
        return object -> { };
    }

    public static Defaulter<ReplicationController> replicationController() {
        return object -> { };
    }

    public static Defaulter<Deployment> deployment() {
        return object -> { };
    }

    public static Defaulter<ReplicaSet> replicaSet() {
        return object -> { };
    }

    public static Defaulter<DaemonSet> daemonSet() {
        return object -> { };
    }

    public static Defaulter<Lease> lease() {
        return object -> { };
    }

    public static Defaulter<EndpointSlice> endpointSlice() {
        return object -> { };
    }

    public static Defaulter<PriorityClass> priorityClass() {
        return object -> { };
    }
}
