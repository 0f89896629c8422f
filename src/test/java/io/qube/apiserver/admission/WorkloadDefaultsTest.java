package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.admission.Admission.assertStored;
import static io.qube.apiserver.admission.Admission.defaulted;
import static io.qube.apiserver.admission.Manifests.STORED_NGINX_TEMPLATE_SPEC;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** Workload defaults, compared with what a real 1.32 cluster stores. */
class WorkloadDefaultsTest {

    /** A ReplicaSet's or DaemonSet's spec as a client sends it: one nginx container, selected by its app label. */
    private static final String NGINX_BY_APP_LABEL = """
            spec:
              selector: {matchLabels: {app: nginx}}
              template:
                metadata: {labels: {app: nginx}}
                spec: {containers: [{image: nginx, name: nginx}]}
            """;

    /** The selector and template of {@link #NGINX_BY_APP_LABEL} as stored. */
    private static final String STORED_NGINX_SELECTOR_AND_TEMPLATE = """
            selector: {matchLabels: {app: nginx}}
            template:
              metadata: {labels: {app: nginx}}
              spec:
            """ + STORED_NGINX_TEMPLATE_SPEC.indent(4);

    @Test
    void kubectlCreateDeploymentIsStoredWithTheClusterDefaults() {
        // What `kubectl create deployment nginx --image=nginx` sends.
        Deployment deployment = defaulted("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {labels: {app: nginx}, name: nginx, namespace: default}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: nginx}}
                  strategy: {}
                  template:
                    metadata: {labels: {app: nginx}}
                    spec:
                      containers:
                      - {image: nginx, name: nginx, resources: {}}
                status: {}
                """, Deployment.class);

        assertStored(deployment, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {labels: {app: nginx}, name: nginx, namespace: default}
                spec:
                  progressDeadlineSeconds: 600
                  replicas: 1
                  revisionHistoryLimit: 10
                  selector: {matchLabels: {app: nginx}}
                  strategy:
                    rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
                    type: RollingUpdate
                  template:
                    metadata: {labels: {app: nginx}}
                    spec:
                """ + STORED_NGINX_TEMPLATE_SPEC.indent(6) + """
                status: {}
                """);
    }

    @Test
    void aRecreateDeploymentGetsNoRollingUpdateAndAMissingReplicaCountIsOne() {
        Deployment deployment = defaulted(namespaced(Deployment.class, "db", """
                spec:
                  selector: {matchLabels: {app: db}}
                  strategy: {type: Recreate}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{image: "postgres:17", name: db}]}
                """), Deployment.class);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
    }

    @Test
    void replicaSetDefaults() {
        ReplicaSet replicaSet = defaulted(namespaced(ReplicaSet.class, "nginx", NGINX_BY_APP_LABEL), ReplicaSet.class);

        assertStored(replicaSet.getSpec(), "replicas: 1\n" + STORED_NGINX_SELECTOR_AND_TEMPLATE);
    }

    @Test
    void daemonSetDefaults() {
        DaemonSet daemonSet = defaulted(namespaced(DaemonSet.class, "nginx", NGINX_BY_APP_LABEL), DaemonSet.class);

        assertStored(daemonSet.getSpec(), "revisionHistoryLimit: 10\n" + STORED_NGINX_SELECTOR_AND_TEMPLATE + """
                updateStrategy:
                  rollingUpdate: {maxSurge: 0, maxUnavailable: 1}
                  type: RollingUpdate
                """);
    }

    @Test
    void aReplicationControllerSelectsAndIsLabelledByItsTemplate() {
        ReplicationController controller = defaulted(namespaced(ReplicationController.class, "nginx", """
                spec:
                  template:
                    metadata: {labels: {app: nginx}}
                    spec: {containers: [{image: nginx, name: nginx}]}
                """), ReplicationController.class);

        assertStored(controller, """
                apiVersion: v1
                kind: ReplicationController
                metadata: {labels: {app: nginx}, name: nginx, namespace: default}
                spec:
                  replicas: 1
                  selector: {app: nginx}
                  template:
                    metadata: {labels: {app: nginx}}
                    spec:
                """ + STORED_NGINX_TEMPLATE_SPEC.indent(6));
    }

    @Test
    void aTemplateKeepsItsServiceAccountInBothFields() {
        Deployment deployment = defaulted(namespaced(Deployment.class, "api", """
                spec:
                  selector: {matchLabels: {app: api}}
                  template:
                    metadata: {labels: {app: api}}
                    spec:
                      serviceAccountName: api
                      containers: [{image: "api:3", name: api}]
                """), Deployment.class);

        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccount()).isEqualTo("api");
    }
}
