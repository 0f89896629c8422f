package io.qube.scheduler.framework;

import java.util.List;

/** Pods that preemption made room for on a node, which Filter must count as if they were there already. */
public interface Nominator {

    List<PodInfo> nominatedPods(String nodeName);
}
