package io.qube.bench;

import io.vertx.core.Future;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop clients: each sends its next request as soon as the previous one was answered, so the offered load
 * is exactly {@code clients} requests in flight. Latencies are recorded in microseconds.
 */
final class ClosedLoop {

    /** Sends request number {@code index} as client {@code client}; the future fails when the request did. */
    interface Call {
        Future<?> send(int client, long index);
    }

    /** What a run achieved. {@code seconds} is the measured window (or the whole run, for a counted one). */
    record Result(long completed, long errors, double seconds, Histogram latency, String firstError) {

        double rate() {
            return completed / seconds;
        }

        double p50Millis() {
            return latency.getValueAtPercentile(50) / 1000.0;
        }

        double p99Millis() {
            return latency.getValueAtPercentile(99) / 1000.0;
        }
    }

    /** Gives up after this many failures: the server is gone or refusing, and going on measures nothing. */
    private static final long MAX_ERRORS = 1000;

    private ClosedLoop() {
    }

    /**
     * Runs for {@code warmup + measure}; counts and times only the requests that started and ended inside the
     * measured window.
     */
    static Result forDuration(int clients, Duration warmup, Duration measure, long firstIndex, Call call)
            throws InterruptedException {
        long start = System.nanoTime();
        long from = start + warmup.toNanos();
        long to = from + measure.toNanos();
        return run(clients, firstIndex, Long.MAX_VALUE, from, to, call, measure.toNanos() / 1e9);
    }

    /** Sends requests {@code firstIndex} up to {@code endIndex} (exclusive), timing every one. */
    static Result forCount(int clients, long firstIndex, long endIndex, Call call) throws InterruptedException {
        long start = System.nanoTime();
        Result result = run(clients, firstIndex, endIndex, start, Long.MAX_VALUE, call, 0);
        return new Result(result.completed(), result.errors(), (System.nanoTime() - start) / 1e9, result.latency(),
                result.firstError());
    }

    private static Result run(int clients, long firstIndex, long endIndex, long from, long to, Call call,
                              double seconds) throws InterruptedException {
        AtomicLong next = new AtomicLong(firstIndex);
        AtomicLong completed = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        Histogram[] latencies = new Histogram[clients];
        CompletableFuture<?>[] done = new CompletableFuture<?>[clients];
        for (int client = 0; client < clients; client++) {
            latencies[client] = new Histogram(60_000_000L, 3);
            done[client] = new CompletableFuture<Void>();
        }
        for (int client = 0; client < clients; client++) {
            Loop loop = new Loop(client, call, next, endIndex, from, to, latencies[client], completed, errors,
                    firstError, done[client]);
            loop.sendNext();
        }
        try {
            CompletableFuture.allOf(done).join();
        } catch (RuntimeException e) {
            throw new IllegalStateException("a client failed", e);
        }
        Histogram latency = new Histogram(60_000_000L, 3);
        for (Histogram h : latencies) {
            latency.add(h);
        }
        return new Result(completed.get(), errors.get(), seconds, latency, firstError.get());
    }

    private record Loop(int client, Call call, AtomicLong next, long endIndex, long from, long to,
                        Histogram latency, AtomicLong completed, AtomicLong errors,
                        AtomicReference<String> firstError, CompletableFuture<?> done) {

        void sendNext() {
            long start = System.nanoTime();
            if (start >= to || errors.get() >= MAX_ERRORS) {
                done.complete(null);
                return;
            }
            long index = next.getAndIncrement();
            if (index >= endIndex) {
                done.complete(null);
                return;
            }
            Future<?> sent;
            try {
                sent = call.send(client, index);
            } catch (RuntimeException e) {
                sent = Future.failedFuture(e);
            }
            sent.onComplete(result -> {
                long end = System.nanoTime();
                if (result.succeeded()) {
                    if (start >= from && end <= to) {
                        latency.recordValue(Math.max(1, (end - start) / 1000));
                        completed.incrementAndGet();
                    }
                } else {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, String.valueOf(result.cause().getMessage()));
                }
                sendNext();
            });
        }
    }
}
