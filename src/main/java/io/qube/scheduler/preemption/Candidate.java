package io.qube.scheduler.preemption;

import io.qube.scheduler.framework.PodInfo;

import java.util.List;

/** A node where the preemptor would fit once these victims are gone (most important first). */
public record Candidate(String nodeName, List<PodInfo> victims) {
}
