package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

import java.util.concurrent.CompletionStage;

/** The API writes volume binding asks for; each fails with the API's answer. */
public interface VolumeActions {

    /**
     * Pre-binds a volume to a claim as the PV controller would: its claimRef names the claim (and bound-by-controller
     * says who did it, unless the user had pre-bound it); fails with a conflict when the volume changed meanwhile.
     */
    CompletionStage<Void> bindVolume(PersistentVolume volume, PersistentVolumeClaim claim);

    /** Sets (or, with null, removes) the claim's volume.kubernetes.io/selected-node annotation. */
    CompletionStage<Void> selectNode(PersistentVolumeClaim claim, String nodeName);
}
