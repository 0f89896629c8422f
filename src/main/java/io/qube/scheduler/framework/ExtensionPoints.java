package io.qube.scheduler.framework;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The points of a scheduling cycle where plugins take part, all in one place (Kubernetes' scheduler framework). A
 * plugin implements the ones it needs; the profile says which plugins run, in order, and with what score weight.
 *
 * <p>Scheduling cycle, one pod at a time: PreFilter → Filter (per node) → PostFilter (only when no node passed) →
 * PreScore → Score → NormalizeScore → Reserve → Permit. Binding cycle, asynchronously: PreBind → Bind → PostBind;
 * a failure there runs Unreserve.
 */
public interface ExtensionPoints {

    /** Scores after normalisation lie in [0, MAX_NODE_SCORE]; the total is their weighted sum. */
    long MAX_NODE_SCORE = 100;

    interface Plugin {
        String name();
    }

    /**
     * Works out once per cycle what Filter will need. May restrict the nodes worth filtering ({@code nodeNames},
     * null for all), answer {@code SKIP} to leave its Filter out, or reject the pod for every node.
     */
    interface PreFilter extends Plugin {
        PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes);

        /** How to update this plugin's state when preemption removes or adds a pod; null when it keeps none. */
        default PreFilterExtensions extensions() {
            return null;
        }
    }

    record PreFilterResult(Status status, Set<String> nodeNames) {
        public static final PreFilterResult SUCCESS = new PreFilterResult(Status.SUCCESS, null);
        public static final PreFilterResult SKIP = new PreFilterResult(Status.SKIP, null);

        public static PreFilterResult of(Status status) {
            return new PreFilterResult(status, null);
        }
    }

    interface PreFilterExtensions {
        void addPod(CycleState state, PodInfo toSchedule, PodInfo added, NodeInfo node);

        void removePod(CycleState state, PodInfo toSchedule, PodInfo removed, NodeInfo node);
    }

    /** Whether the pod could run on this node. */
    interface Filter extends Plugin {
        Status filter(CycleState state, PodInfo pod, NodeInfo node);
    }

    /** Runs when no node passed Filter, e.g. to make room by preemption; may nominate a node. */
    interface PostFilter extends Plugin {
        PostFilterResult postFilter(CycleState state, PodInfo pod, Map<String, Status> rejections);
    }

    record PostFilterResult(Status status, String nominatedNode) {
    }

    /** Works out once per cycle, over the nodes that passed Filter, what Score will need; SKIP leaves Score out. */
    interface PreScore extends Plugin {
        Status preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes);
    }

    /** Ranks a node that passed Filter; {@code normalize} then brings the scores of all of them into range. */
    interface Score extends Plugin {
        long score(CycleState state, PodInfo pod, NodeInfo node);

        /** Rescales {@code scores} (one per node, in order) into [0, MAX_NODE_SCORE]; they may already be. */
        default void normalize(CycleState state, PodInfo pod, long[] scores) {
        }
    }

    /** Sets aside what the pod will use on the chosen node before binding; undone by unreserve if binding fails. */
    interface Reserve extends Plugin {
        Status reserve(CycleState state, PodInfo pod, String nodeName);

        void unreserve(CycleState state, PodInfo pod, String nodeName);
    }

    /** The last word before binding: allow or reject (Qube has no plugin that waits). */
    interface Permit extends Plugin {
        Status permit(CycleState state, PodInfo pod, String nodeName);
    }

    interface PreBind extends Plugin {
        Status preBind(CycleState state, PodInfo pod, String nodeName);
    }

    /** Tells the API where the pod runs; SKIP lets the next Bind plugin do it. */
    interface Bind extends Plugin {
        CompletionStage<Status> bind(CycleState state, PodInfo pod, String nodeName);
    }

    interface PostBind extends Plugin {
        void postBind(CycleState state, PodInfo pod, String nodeName);
    }

    /** The cluster events after which a pod this plugin rejected may fit; the queue moves it back on them. */
    interface EnqueueExtensions extends Plugin {
        Set<ClusterEvent> events();
    }
}
