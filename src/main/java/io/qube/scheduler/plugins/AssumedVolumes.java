package io.qube.scheduler.plugins;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What volume binding decided for pods between Reserve and the moment the informers show it done (Kubernetes'
 * assume cache): the static volumes chosen for claims, and the nodes chosen for claims to provision. Later cycles
 * read it so that two pods in flight do not take the same volume, nor put one claim on two nodes. The scheduling
 * thread reads and reserves; binding threads forget.
 */
final class AssumedVolumes {

    /** A pod's decisions: volume name → claim key ("namespace/name"), claim key → node. */
    private record Decisions(Map<String, String> volumes, Map<String, String> selectedNodes) {
    }

    private final Map<String, Decisions> byPod = new HashMap<>();
    private final Map<String, String> claimByVolume = new HashMap<>();
    private final Map<String, String> nodeByClaim = new HashMap<>();

    synchronized void assume(String podKey, Map<String, String> volumes, Map<String, String> selectedNodes) {
        forget(podKey);
        byPod.put(podKey, new Decisions(Map.copyOf(volumes), Map.copyOf(selectedNodes)));
        claimByVolume.putAll(volumes);
        nodeByClaim.putAll(selectedNodes);
    }

    synchronized void forget(String podKey) {
        Decisions decisions = byPod.remove(podKey);
        if (decisions != null) {
            decisions.volumes().forEach(claimByVolume::remove);
            decisions.selectedNodes().forEach(nodeByClaim::remove);
        }
    }

    /** The claim key a volume is promised to, or null. */
    synchronized String claimOf(String volumeName) {
        return claimByVolume.get(volumeName);
    }

    /** The volumes promised to claims, by name. */
    synchronized List<String> volumes() {
        return List.copyOf(claimByVolume.keySet());
    }

    /** The node chosen for a claim to provision, or null. */
    synchronized String selectedNode(String claimKey) {
        return nodeByClaim.get(claimKey);
    }
}
