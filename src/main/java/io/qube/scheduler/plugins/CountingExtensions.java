package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints.PreFilterExtensions;
import io.qube.scheduler.framework.NodeInfo;
import io.qube.scheduler.framework.PodInfo;

/** PreFilter extensions for plugins whose state counts pods: adding a pod counts +1, removing it -1. */
final class CountingExtensions {

    /** Updates the plugin's counts in {@code state} for {@code other} on {@code node} by {@code delta}. */
    interface Update {
        void apply(CycleState state, PodInfo toSchedule, PodInfo other, NodeInfo node, int delta);
    }

    private CountingExtensions() {
    }

    static PreFilterExtensions of(Update update) {
        return new PreFilterExtensions() {
            @Override
            public void addPod(CycleState state, PodInfo toSchedule, PodInfo added, NodeInfo node) {
                update.apply(state, toSchedule, added, node, 1);
            }

            @Override
            public void removePod(CycleState state, PodInfo toSchedule, PodInfo removed, NodeInfo node) {
                update.apply(state, toSchedule, removed, node, -1);
            }
        };
    }
}
