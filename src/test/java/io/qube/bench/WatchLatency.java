package io.qube.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Create-to-event latency: {@code watchers} watches on one server, creates paced at {@code rate} per second (open
 * loop: a create is due at its time whatever the earlier ones did). An event's latency is its arrival at a
 * watcher minus the moment just before its create was sent; the create's own round trip is timed too. Every watcher
 * must receive every event, once and in revision order. The same run drives Qube (HTTP) and etcd (gRPC) through a
 * {@link Target}.
 */
final class WatchLatency {

    /** What is watched and written. */
    interface Target {
        /** Opens one watch that reports each event to {@code watch}; completes once the watch is established. */
        Future<?> open(Watch watch);

        /** Sends create number {@code index} (object name {@link #objectName}); fails when it failed. */
        Future<?> create(int index);

        void close();
    }

    record Result(int watchers, int creates, int warmupCreates, long delivered, long expected,
                  int completeWatchers, long duplicates, long outOfOrder, long watchErrors, String firstWatchError,
                  long postErrors, String firstPostError, Histogram eventLatency, Histogram postLatency,
                  double measuredSeconds, List<Histogram> bySecond, double[] watcherMeans) {

        /**
         * The measured events' mean latency of each tenth of the watchers, in the order they were opened (one after
         * another: the order the server registered them in), in ms.
         */
        String byWatcherTenth() {
            StringBuilder out = new StringBuilder();
            int n = watcherMeans.length;
            for (int tenth = 0; tenth < 10 && n >= 10; tenth++) {
                double sum = 0;
                int from = tenth * n / 10;
                int to = (tenth + 1) * n / 10;
                for (int i = from; i < to; i++) {
                    sum += watcherMeans[i];
                }
                out.append(out.length() == 0 ? "" : ", ").append(String.format("%.1f", sum / (to - from)));
            }
            return out.toString();
        }

        boolean allDelivered() {
            return delivered == expected && duplicates == 0 && outOfOrder == 0 && watchErrors == 0 && postErrors == 0;
        }

        String delivery() {
            return String.format("%s: %,d/%,d watchers complete, %d duplicates, %d out of order, %d watch errors,"
                            + " %d failed creates", allDelivered() ? "yes" : "NO", completeWatchers, watchers,
                    duplicates, outOfOrder, watchErrors, postErrors);
        }

        /** p50/p99/max of the events of the creates sent in each second of the run (warm-up included), as CSV. */
        String timeline() {
            StringBuilder out = new StringBuilder("second,phase,events,p50_ms,p99_ms,max_ms\n");
            int rate = creates / Math.max(1, bySecond.size());
            for (int second = 0; second < bySecond.size(); second++) {
                Histogram h = bySecond.get(second);
                out.append(String.format("%d,%s,%d,%.2f,%.2f,%.2f%n", second,
                        second * rate < warmupCreates ? "warm-up" : "measured", h.getTotalCount(),
                        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                        h.getMaxValue() / 1000.0));
            }
            return out.toString();
        }

        /** p99 of each 5-second slice of the measured window, in ms: whether a backlog built up. */
        String slices() {
            StringBuilder out = new StringBuilder();
            int rate = creates / Math.max(1, bySecond.size());
            int first = warmupCreates / Math.max(1, rate);
            for (int from = first; from < bySecond.size(); from += 5) {
                Histogram slice = new Histogram(60_000_000L, 2);
                for (int s = from; s < Math.min(from + 5, bySecond.size()); s++) {
                    slice.add(bySecond.get(s));
                }
                out.append(out.length() == 0 ? "" : ", ").append(String.format("%.1f",
                        slice.getValueAtPercentile(99) / 1000.0));
            }
            return out.toString();
        }
    }

    private WatchLatency() {
    }

    static String objectName(long index) {
        return String.format("w-%07d", index);
    }

    /**
     * Opens the watches, sends the warm-up creates at the rate, waits until every watcher has all of their events
     * (so that a backlog left by a cold server does not spill into the measurement), then sends the measured
     * creates at the rate and waits for their events.
     *
     * @param pacer           the Vert.x instance whose timer paces the creates (better not the watchers' own, so
     *                        that their traffic does not delay the sends)
     * @param onMeasureStart  run just before the first measured create
     * @param onMeasureEnd    run once every measured event arrived (or after a minute of waiting for them)
     */
    static Result run(Vertx pacer, Target target, int watchers, int rate, Duration warmup, Duration measure,
                      Runnable onMeasureStart, Runnable onMeasureEnd) throws InterruptedException {
        int warmupCreates = (int) (rate * warmup.toSeconds());
        int creates = warmupCreates + (int) (rate * measure.toSeconds());
        Shared shared = new Shared(creates, warmupCreates, rate);
        // One after another, so that the server registers the watchers in the order they are listed here.
        List<Watch> watches = new ArrayList<>();
        for (int i = 0; i < watchers; i++) {
            Watch watch = new Watch(shared);
            watches.add(watch);
            try {
                target.open(watch).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                watch.error("watch " + i + " failed to open: " + e.getMessage());
            }
        }

        Histogram postLatency = new Histogram(60_000_000L, 3);
        AtomicLong postErrors = new AtomicLong();
        AtomicReference<String> firstPostError = new AtomicReference<>();
        Sender sender = new Sender(pacer, target, rate, shared, postLatency, postErrors, firstPostError);
        sender.send(0, warmupCreates, warmup.plus(Duration.ofSeconds(120)));
        awaitDelivery(watches, warmupCreates, Duration.ofSeconds(60));
        onMeasureStart.run();
        sender.send(warmupCreates, creates, measure.plus(Duration.ofSeconds(120)));
        awaitDelivery(watches, creates, Duration.ofSeconds(60));
        onMeasureEnd.run();

        long delivered = watches.stream().mapToLong(w -> w.received.get()).sum();
        int complete = (int) watches.stream().filter(w -> w.received.get() == creates).count();
        long errors = shared.errors.get();
        String firstError = shared.firstError.get();
        target.close();
        Histogram events;
        synchronized (shared.latency) {
            events = shared.latency.copy();
        }
        return new Result(watchers, creates, warmupCreates, delivered, (long) watchers * creates, complete,
                shared.duplicates.get(), shared.outOfOrder.get(), errors, firstError, postErrors.get(),
                firstPostError.get(), events, postLatency, measure.toNanos() / 1e9, shared.bySecond,
                watches.stream().mapToDouble(Watch::measuredMeanMillis).toArray());
    }

    private static void awaitDelivery(List<Watch> watches, int events, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline && watches.stream().anyMatch(w -> w.received.get() < events)) {
            Thread.sleep(20);
        }
    }

    /** Sends creates [from, to) paced by the clock: create i is due at start + (i - from)/rate, open loop. */
    private record Sender(Vertx pacer, Target target, int rate, Shared shared, Histogram postLatency,
                          AtomicLong postErrors, AtomicReference<String> firstPostError) {

        void send(int from, int to, Duration patience) throws InterruptedException {
            AtomicInteger next = new AtomicInteger(from);
            CountDownLatch posted = new CountDownLatch(to - from);
            long periodNanos = 1_000_000_000L / rate;
            long start = System.nanoTime();
            pacer.setPeriodic(1, timer -> {
                long now = System.nanoTime();
                while (next.get() < to && now >= start + (next.get() - from) * periodNanos) {
                    int index = next.getAndIncrement();
                    long before = System.nanoTime();
                    shared.sentAt.set(index, before);
                    Future<?> created;
                    try {
                        created = target.create(index);
                    } catch (RuntimeException e) {
                        created = Future.failedFuture(e);
                    }
                    created.onComplete(done -> {
                        long after = System.nanoTime();
                        if (done.failed()) {
                            postErrors.incrementAndGet();
                            firstPostError.compareAndSet(null, String.valueOf(done.cause().getMessage()));
                        } else if (index >= shared.warmupCreates) {
                            synchronized (postLatency) {
                                postLatency.recordValue(Math.max(1, (after - before) / 1000));
                            }
                        }
                        posted.countDown();
                    });
                }
                if (next.get() >= to) {
                    pacer.cancelTimer(timer);
                }
            });
            posted.await(patience.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** What all watchers of a run record into. */
    private static final class Shared {
        final int creates;
        final int warmupCreates;
        final int rate;
        final AtomicLongArray sentAt;
        final Histogram latency = new Histogram(60_000_000L, 3);
        final List<Histogram> bySecond = new ArrayList<>();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();

        Shared(int creates, int warmupCreates, int rate) {
            this.creates = creates;
            this.warmupCreates = warmupCreates;
            this.rate = rate;
            this.sentAt = new AtomicLongArray(creates);
            for (int second = 0; second * rate < creates; second++) {
                bySecond.add(new Histogram(60_000_000L, 2));
            }
        }
    }

    /** One watcher's bookkeeping; its events arrive on one thread at a time. */
    static final class Watch {
        private final Shared shared;
        private final AtomicInteger received = new AtomicInteger();
        private final AtomicLong measuredMicros = new AtomicLong();
        private final AtomicInteger measured = new AtomicInteger();
        private final BitSet seen = new BitSet();
        private long lastRevision = -1;

        private Watch(Shared shared) {
            this.shared = shared;
        }

        /** An event for object number {@code index} at {@code revision}, arrived at {@code arrival} (nanoTime). */
        void onEvent(int index, long revision, long arrival) {
            if (index < 0 || index >= shared.creates) {
                return;
            }
            if (seen.get(index)) {
                shared.duplicates.incrementAndGet();
                return;
            }
            seen.set(index);
            // Creates sent concurrently may commit in any order; events must come in revision order.
            if (revision <= lastRevision) {
                shared.outOfOrder.incrementAndGet();
            }
            lastRevision = revision;
            long micros = Math.max(1, (arrival - shared.sentAt.get(index)) / 1000);
            if (index >= shared.warmupCreates) {
                synchronized (shared.latency) {
                    shared.latency.recordValue(micros);
                }
                measuredMicros.addAndGet(micros);
                measured.incrementAndGet();
            }
            Histogram second = shared.bySecond.get(index / shared.rate);
            synchronized (second) {
                second.recordValue(micros);
            }
            received.incrementAndGet();
        }

        double measuredMeanMillis() {
            return measured.get() == 0 ? 0 : measuredMicros.get() / 1000.0 / measured.get();
        }

        void error(String message) {
            shared.errors.incrementAndGet();
            shared.firstError.compareAndSet(null, message);
        }
    }

    /** The number at the end of an object name written by this benchmark ("w-0000042" → 42), or -1. */
    static int indexOf(byte[] bytes, int from, int to) {
        int index = 0;
        int digits = 0;
        for (int i = from; i < to && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
            index = index * 10 + (bytes[i] - '0');
            digits++;
        }
        return digits == 0 ? -1 : index;
    }

    /** Where {@code mark} starts in {@code bytes[0, length)}, or -1. */
    static int find(byte[] bytes, int length, byte[] mark) {
        outer:
        for (int i = 0; i + mark.length <= length; i++) {
            for (int j = 0; j < mark.length; j++) {
                if (bytes[i + j] != mark[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
