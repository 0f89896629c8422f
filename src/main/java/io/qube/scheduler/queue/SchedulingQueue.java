package io.qube.scheduler.queue;

import io.qube.scheduler.framework.ClusterEvent;
import io.qube.scheduler.framework.Framework;
import io.qube.scheduler.framework.PodInfo;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The pods waiting to be scheduled, as Kubernetes keeps them: an active queue (highest priority first, then the
 * longest waiting), a backoff queue (a pod tried and failed waits 1 s, doubling per attempt up to 10 s), and the
 * unschedulable pods, which wait for a cluster event that may let them fit (or 5 minutes). Pods with scheduling
 * gates wait apart until their gates are removed.
 */
public final class SchedulingQueue {

    public static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_UNSCHEDULABLE = Duration.ofMinutes(5);

    private static final Comparator<QueuedPodInfo> BY_PRIORITY_THEN_AGE = Comparator
            .comparingInt((QueuedPodInfo p) -> p.pod.priority()).reversed()
            .thenComparingLong(p -> p.timestamp);

    private final Clock clock;
    private final Framework framework;
    private final PriorityQueue<QueuedPodInfo> active = new PriorityQueue<>(BY_PRIORITY_THEN_AGE);
    private final PriorityQueue<QueuedPodInfo> backoff = new PriorityQueue<>(Comparator.comparingLong(this::backoffExpiry));
    private final Map<String, QueuedPodInfo> unschedulable = new HashMap<>();
    private final Map<String, QueuedPodInfo> gated = new HashMap<>();
    /** Every pod the queue holds or has handed out and not yet heard the end of, by key. */
    private final Map<String, QueuedPodInfo> known = new HashMap<>();
    private long schedulingCycle;
    /** The cycle during which the last move request came: a pod failing in that cycle may have missed it. */
    private long moveRequestCycle = -1;
    private boolean closed;

    public SchedulingQueue(Clock clock, Framework framework) {
        this.clock = clock;
        this.framework = framework;
    }

    private long now() {
        return clock.millis();
    }

    /** A new pending pod. */
    public synchronized void add(PodInfo pod) {
        if (known.containsKey(pod.key())) {
            update(pod);
            return;
        }
        QueuedPodInfo queued = new QueuedPodInfo(pod, now());
        known.put(pod.key(), queued);
        place(queued);
        notifyAll();
    }

    private void place(QueuedPodInfo queued) {
        if (gated(queued.pod)) {
            gated.put(queued.pod.key(), queued);
        } else {
            active.add(queued);
        }
    }

    private static boolean gated(PodInfo pod) {
        return pod.pod().getSpec().getSchedulingGates() != null && !pod.pod().getSpec().getSchedulingGates().isEmpty();
    }

    /**
     * A pending pod changed. In the active or backoff queue it just takes the new object; a gated pod whose gates
     * are gone becomes active; an unschedulable pod whose spec or labels changed is tried again (status changes,
     * such as the scheduler's own condition, do not count).
     */
    public synchronized void update(PodInfo pod) {
        QueuedPodInfo queued = known.get(pod.key());
        if (queued == null) {
            add(pod);
            return;
        }
        PodInfo old = queued.pod;
        queued.pod = pod;
        if (gated.containsKey(pod.key())) {
            if (!gated(pod)) {
                gated.remove(pod.key());
                active.add(queued);
                notifyAll();
            }
        } else if (unschedulable.containsKey(pod.key()) && changedForScheduling(old, pod)) {
            unschedulable.remove(pod.key());
            requeue(queued);
        } else if (active.remove(queued)) {
            // Its priority may have changed; re-adding restores the heap order.
            active.add(queued);
        }
    }

    private static boolean changedForScheduling(PodInfo old, PodInfo now) {
        return !Objects.equals(old.pod().getSpec(), now.pod().getSpec())
                || !Objects.equals(old.labels(), now.labels())
                || !Objects.equals(old.pod().getMetadata().getAnnotations(), now.pod().getMetadata().getAnnotations());
    }

    /** The pod is gone, bound elsewhere or no longer this scheduler's. */
    public synchronized void delete(String key) {
        QueuedPodInfo queued = known.remove(key);
        if (queued != null) {
            active.remove(queued);
            backoff.remove(queued);
            unschedulable.remove(key);
            gated.remove(key);
        }
    }

    /** The next pod to schedule, waiting for one; null once closed. */
    public synchronized QueuedPodInfo pop() throws InterruptedException {
        while (active.isEmpty() && !closed) {
            wait();
        }
        if (closed) {
            return null;
        }
        QueuedPodInfo queued = active.poll();
        queued.attempts++;
        schedulingCycle++;
        return queued;
    }

    public synchronized long schedulingCycle() {
        return schedulingCycle;
    }

    /** The pod was scheduled (assumed and sent to bind): the queue forgets it unless binding fails. */
    public synchronized void done(String key) {
        known.remove(key);
    }

    /**
     * The pod did not fit. It waits among the unschedulable pods, unless a move request came while it was being
     * tried (the event that would have moved it may already be past), or it failed with an error: then it backs off.
     */
    public synchronized void requeueUnschedulable(QueuedPodInfo queued, long podSchedulingCycle, boolean error) {
        if (known.get(queued.pod.key()) != queued) {
            return;
        }
        queued.timestamp = now();
        if (error || moveRequestCycle >= podSchedulingCycle) {
            backoff.add(queued);
        } else {
            unschedulable.put(queued.pod.key(), queued);
        }
    }

    /** Binding failed: the pod is pending again and backs off. */
    public synchronized void requeueAfterBindFailure(QueuedPodInfo queued) {
        if (!known.containsKey(queued.pod.key())) {
            known.put(queued.pod.key(), queued);
            queued.timestamp = now();
            backoff.add(queued);
        }
    }

    /** Something changed that may let unschedulable pods fit: those it may help go back to be tried. */
    public synchronized void onEvent(ClusterEvent event) {
        List<QueuedPodInfo> moved = new ArrayList<>();
        for (QueuedPodInfo queued : unschedulable.values()) {
            if (framework.eventsFor(queued.rejectingPlugins).contains(event)) {
                moved.add(queued);
            }
        }
        for (QueuedPodInfo queued : moved) {
            unschedulable.remove(queued.pod.key());
            requeue(queued);
        }
        moveRequestCycle = schedulingCycle;
    }

    private void requeue(QueuedPodInfo queued) {
        if (backoffExpiry(queued) > now()) {
            backoff.add(queued);
        } else {
            active.add(queued);
            notifyAll();
        }
    }

    /** Run about every second: pods whose backoff is over become active; long-unschedulable pods are retried. */
    public synchronized void flush() {
        long now = now();
        boolean any = false;
        while (!backoff.isEmpty() && backoffExpiry(backoff.peek()) <= now) {
            active.add(backoff.poll());
            any = true;
        }
        List<QueuedPodInfo> stale = new ArrayList<>();
        for (QueuedPodInfo queued : unschedulable.values()) {
            if (now - queued.timestamp >= MAX_UNSCHEDULABLE.toMillis()) {
                stale.add(queued);
            }
        }
        for (QueuedPodInfo queued : stale) {
            unschedulable.remove(queued.pod.key());
            requeue(queued);
            any = true;
        }
        if (any) {
            notifyAll();
        }
    }

    /** 1 s after the last attempt for one attempt, doubling with each further one, at most 10 s. */
    long backoffExpiry(QueuedPodInfo queued) {
        long duration = INITIAL_BACKOFF.toMillis();
        for (int i = 1; i < queued.attempts && duration < MAX_BACKOFF.toMillis(); i++) {
            duration *= 2;
        }
        return queued.timestamp + Math.min(duration, MAX_BACKOFF.toMillis());
    }

    /** Pending pods by Kubernetes' queue names: active, backoff, unschedulable, gated. */
    public synchronized Map<String, Integer> sizes() {
        return Map.of("active", active.size(), "backoff", backoff.size(), "unschedulable", unschedulable.size(),
                "gated", gated.size());
    }

    public synchronized boolean isUnschedulable(String key) {
        return unschedulable.containsKey(key);
    }

    public synchronized Set<String> keys() {
        return Set.copyOf(known.keySet());
    }

    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
