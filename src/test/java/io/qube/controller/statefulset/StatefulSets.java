package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;

import java.time.Instant;
import java.util.UUID;

/** StatefulSets and their pods as the unit tests build them, in the state the API would hold them. */
final class StatefulSets {

    static final StatefulRevisions REVISIONS = new StatefulRevisions("web-old", web(1).getSpec().getTemplate(),
            "web-new", web(1).getSpec().getTemplate());

    private StatefulSets() {
    }

    /** web: replicas pods of app=web, a claim template "data", governed by the Service "nginx". */
    static StatefulSet web(int replicas) {
        return new StatefulSetBuilder().withNewMetadata().withName("web").withNamespace("ns").withUid("set-uid")
                .withGeneration(1L).endMetadata().withNewSpec().withReplicas(replicas).withServiceName("nginx")
                .withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("nginx").withImage("nginx:1.27").endContainer().endSpec().endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").addToLabels("tier", "db")
                .endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().endVolumeClaimTemplate()
                .endSpec().build();
    }

    /** The set's pod for the ordinal as the API holds it: created, of this revision, in this phase, ready or not. */
    static Pod pod(StatefulSet set, int ordinal, String revision, String phase, boolean ready) {
        Pod pod = new PodBuilder(StatefulPods.newPod(set, set.getSpec().getTemplate(), ordinal, revision))
                .editMetadata().withUid(UUID.randomUUID().toString()).endMetadata()
                .withNewStatus().withPhase(phase).endStatus().build();
        if (ready) {
            pod.getStatus().getConditions().add(new PodConditionBuilder().withType("Ready").withStatus("True")
                    .withLastTransitionTime(Instant.EPOCH.toString()).build());
        }
        return pod;
    }

    static Pod running(StatefulSet set, int ordinal, String revision) {
        return pod(set, ordinal, revision, "Running", true);
    }

    static Pod terminating(Pod pod) {
        return new PodBuilder(pod).editMetadata().withDeletionTimestamp(Instant.EPOCH.toString()).endMetadata()
                .build();
    }
}
