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
public final class WorkQueue<K> implements AutoCloseable {

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
    private final Set<K> running = new HashSet<>();
    private final Set<K> dirty = new HashSet<>();
    private final Map<K, Integer> failures = new HashMap<>();
    /** When each key with a pending delayed add is due, by System.nanoTime. */
    private final Map<K, Long> dueAt = new HashMap<>();
    private boolean closed;

    public WorkQueue(String name, int workerCount, Function<K, Outcome> reconcile) {
        this.name = name;
        this.reconcile = reconcile;
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
        if (running.contains(key)) {
            dirty.add(key);
        } else if (waiting.add(key)) {
            notifyAll();
        }
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
                running.add(key);
            }
            Outcome outcome;
            try {
                outcome = reconcile.apply(key);
            } catch (RuntimeException e) {
                LOG.debugf(e, "%s: reconciling %s failed", name, key);
                outcome = null;
            }
            finish(key, outcome);
        }
    }

    private synchronized void finish(K key, Outcome outcome) {
        running.remove(key);
        if (outcome == null || outcome == Outcome.FAILED) {
            int attempts = failures.merge(key, 1, Integer::sum);
            long delay = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempts, 20));
            addAfter(key, Duration.ofMillis(delay));
        } else {
            failures.remove(key);
            if (outcome.retry()) {
                addAfter(key, outcome.after());
            }
        }
        if (dirty.remove(key)) {
            add(key);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
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
