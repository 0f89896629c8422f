package io.qube.scheduler;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.qube.client.ApiRequests;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.scheduler.framework.VolumeActions;

import java.util.concurrent.CompletionStage;

/** Volume binding's writes: a volume's claimRef, a claim's selected node; merge patches that touch nothing else. */
final class VolumeWrites implements VolumeActions {

    private static final String MERGE = "application/merge-patch+json";

    private final ApiRequests api;

    VolumeWrites(ApiRequests api) {
        this.api = api;
    }

    @Override
    public CompletionStage<Void> bindVolume(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        // The resourceVersion makes it conditional, as Kubernetes' update is: a volume changed meanwhile (taken by
        // the PV controller for another claim, say) answers 409 and the pod is tried again.
        ObjectNode metadata = patch.putObject("metadata").put("resourceVersion",
                volume.getMetadata().getResourceVersion());
        if (!VolumeMatching.isBoundToClaim(volume, claim)) {
            metadata.putObject("annotations").put(StorageNames.BOUND_BY_CONTROLLER, "yes");
        }
        patch.putObject("spec").putObject("claimRef").put("kind", "PersistentVolumeClaim").put("apiVersion", "v1")
                .put("namespace", claim.getMetadata().getNamespace()).put("name", claim.getMetadata().getName())
                .put("uid", claim.getMetadata().getUid())
                .put("resourceVersion", claim.getMetadata().getResourceVersion());
        return api.send("PATCH", ApiRequests.corePath("persistentvolumes", volume.getMetadata().getName()), MERGE,
                patch.toString());
    }

    @Override
    public CompletionStage<Void> selectNode(PersistentVolumeClaim claim, String nodeName) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
        if (nodeName == null) {
            annotations.putNull(StorageNames.SELECTED_NODE);
        } else {
            annotations.put(StorageNames.SELECTED_NODE, nodeName);
        }
        return api.send("PATCH", ApiRequests.corePath(claim.getMetadata().getNamespace(), "persistentvolumeclaims",
                claim.getMetadata().getName(), null), MERGE, patch.toString());
    }
}
