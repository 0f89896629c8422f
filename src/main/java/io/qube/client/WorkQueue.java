package io.qube.client;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Keys waiting to be reconciled, as Kubernetes' controllers use them: a key waits at most once however often it
 * is added, is never reconciled by two workers at once (an add during its reconcile runs it again afterwards), and
 * a failed reconcile comes back after an exponential backoff.
 */
public final class WorkQueue<K> implements AutoCloseable, WorkQueueMetrics.Readings {

    /** What a reconcile asks of the queue. */
    public record Outcome(boolean retry, Duration after) {
        public static final Outcome DONE = new Outcome(false, Duration.ZERO);
        /** Try again after the key's exponential backoff, as for a reconcile that threw. */
        public static final Outcome FAILED = new Outcome(true, null);

        public static Outcome after(Duration delay) {
            return new Outcome(true, delay);
        }
    }

    private static final Logger LOG = Logger.getLogger(WorkQueue.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final String name;
    private final Function<K, Outcome> reconcile;
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private final LinkedHashSet<K> waiting = new LinkedHashSet<>();
    /** Keys being reconciled, with when their reconcile started (System.nanoTime). */
    private final Map<K, Long> running = new HashMap<>();
    private final Set<K> dirty = new HashSet<>();
    private final Map<K, Integer> failures = new HashMap<>();
    /** When each key with a pending delayed add is due, by System.nanoTime. */
    private final Map<K, Long> dueAt = new HashMap<>();
    /** When each waiting key was first added, for workqueue_queue_duration_seconds; empty without metrics. */
    private final Map<K, Long> addedAt = new HashMap<>();
    private final WorkQueueMetrics metrics;
    private boolean closed;

    public WorkQueue(String name, int workerCount, Function<K, Outcome> reconcile) {
        this.name = name;
        this.reconcile = reconcile;
        this.metrics = WorkQueueMetrics.forQueue(name);
        if (metrics != null) {
            metrics.bind(this);
        }
        this.workers = Executors.newFixedThreadPool(workerCount, r -> daemon(r, name + "-worker"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name + "-timer"));
        for (int i = 0; i < workerCount; i++) {
            workers.execute(this::work);
        }
    }

    public synchronized void add(K key) {
        if (closed) {
            return;
        }
        boolean added;
        if (running.containsKey(key)) {
            added = dirty.add(key);
        } else {
            added = waiting.add(key);
            if (added) {
                notifyAll();
            }
        }
        if (added && metrics != null) {
            // As client-go: an add of a key already waiting is no add; a key added while it runs is one.
            metrics.adds.increment();
            addedAt.putIfAbsent(key, System.nanoTime());
        }
    }

    /** Keys waiting, counting those added again while they run, as client-go's depth does. */
    @Override
    public synchronized int depth() {
        return waiting.size() + dirty.size();
    }

    @Override
    public synchronized double[] unfinished() {
        long now = System.nanoTime();
        long total = 0;
        long longest = 0;
        for (long since : running.values()) {
            total += now - since;
            longest = Math.max(longest, now - since);
        }
        return new double[] {total / 1e9, longest / 1e9};
    }

    /**
     * Adds the key once the delay has passed. A key already due as soon or sooner is not scheduled again: that
     * reconcile decides anew, so periodic requeues do not pile up timers for a key that events also wake.
     */
    public synchronized void addAfter(K key, Duration delay) {
        if (closed) {
            return;
        }
        long due = System.nanoTime() + delay.toNanos();
        Long pending = dueAt.get(key);
        if (pending != null && pending - due <= 0) {
            return;
        }
        dueAt.put(key, due);
        timer.schedule(() -> {
            synchronized (this) {
                dueAt.remove(key, due);
            }
            add(key);
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void work() {
        while (true) {
            K key;
            long started;
            synchronized (this) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                var first = waiting.iterator();
                key = first.next();
                first.remove();
                started = System.nanoTime();
                running.put(key, started);
                Long added = addedAt.remove(key);
                if (added != null) {
                    metrics.queueDuration.record(started - added, TimeUnit.NANOSECONDS);
                }
            }
            Outcome outcome;
            try {
                outcome = reconcile.apply(key);
            } catch (RuntimeException e) {
                LOG.debugf(e, "%s: reconciling %s failed", name, key);
                outcome = null;
            }
            if (metrics != null) {
                metrics.workDuration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
            finish(key, outcome);
        }
    }

    private synchronized void finish(K key, Outcome outcome) {
        running.remove(key);
        if (outcome == null || outcome == Outcome.FAILED) {
            int attempts = failures.merge(key, 1, Integer::sum);
            if (metrics != null) {
                metrics.retries.increment();
            }
            long delay = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempts, 20));
            addAfter(key, Duration.ofMillis(delay));
        } else {
            failures.remove(key);
            if (outcome.retry()) {
                addAfter(key, outcome.after());
            }
        }
        if (dirty.remove(key) && !closed && waiting.add(key)) {
            // Counted as an add when it came in during the reconcile.
            notifyAll();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (metrics != null) {
            metrics.unbind(this);
        }
        notifyAll();
        workers.shutdownNow();
        timer.shutdownNow();
    }

    private static Thread daemon(Runnable runnable, String threadName) {
        Thread thread = new Thread(runnable, threadName);
        thread.setDaemon(true);
        return thread;
    }
}
