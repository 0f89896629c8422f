package io.qube.apiserver.table;

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
import io.qube.apiserver.registry.TableColumn;
import java.util.List;

/** The columns of {@code kubectl get} for each served kind; an empty list gives NAME and AGE. */
public final class KindTables {

    private KindTables() {
    }

    public static List<TableColumn<? super Namespace>> namespace() {
        return List.of();
    }

    public static List<TableColumn<? super Node>> node() {
        return List.of();
    }

    public static List<TableColumn<? super Pod>> pod() {
        return List.of();
    }

    public static List<TableColumn<? super Service>> service() {
        return List.of();
    }

    public static List<TableColumn<? super Endpoints>> endpoints() {
        return List.of();
    }

    public static List<TableColumn<? super ConfigMap>> configMap() {
        return List.of();
    }

    public static List<TableColumn<? super Secret>> secret() {
        return List.of();
    }

    public static List<TableColumn<? super ServiceAccount>> serviceAccount() {
        return List.of();
    }

    public static List<TableColumn<? super Event>> event() {
        return List.of();
    }

    public static List<TableColumn<? super ReplicationController>> replicationController() {
        return List.of();
    }

    public static List<TableColumn<? super Deployment>> deployment() {
        return List.of();
    }

    public static List<TableColumn<? super ReplicaSet>> replicaSet() {
        return List.of();
    }

    public static List<TableColumn<? super DaemonSet>> daemonSet() {
        return List.of();
    }

    public static List<TableColumn<? super Lease>> lease() {
        return List.of();
    }

    public static List<TableColumn<? super EndpointSlice>> endpointSlice() {
        return List.of();
    }

    public static List<TableColumn<? super PriorityClass>> priorityClass() {
        return List.of();
    }
}
