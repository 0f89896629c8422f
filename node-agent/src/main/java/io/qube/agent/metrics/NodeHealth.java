package io.qube.agent.metrics;

import io.qube.agent.runtime.ContainerRuntime;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's health checks, as the kubelet's /healthz runs its named checks: {@code ping} (the agent answers),
 * {@code runtime} (the runtime lists its sandboxes within {@link #RUNTIME_TIMEOUT}) and {@code api} (the node's Lease
 * was renewed within the lease duration, the agent's proof that it reaches the API). Each check blocks: call them
 * off the event loop.
 */
public final class NodeHealth {

    static final Duration RUNTIME_TIMEOUT = Duration.ofSeconds(10);
    /** The Lease's duration: a node whose renewals stopped this long ago is declared lost by the control plane. */
    static final Duration API_STALE = Duration.ofSeconds(40);

    private final RunningSandboxes sandboxes;
    private final Supplier<Instant> lastRenewal;

    /**
     * @param runtime     the runtime to ask (the unwrapped one: a health check is not a pod's runtime operation)
     * @param lastRenewal when the node's Lease was last renewed, null before the first renewal
     */
    public NodeHealth(ContainerRuntime runtime, Supplier<Instant> lastRenewal) {
        this(runtime::sandboxes, lastRenewal);
    }

    /** @param sandboxes what the runtime check lists (a simulated node's pods, listed at once) */
    public NodeHealth(RunningSandboxes sandboxes, Supplier<Instant> lastRenewal) {
        this.sandboxes = sandboxes;
        this.lastRenewal = lastRenewal;
    }

    /** Every check's name, in order, with null for a check that passed or the reason it failed. */
    public Map<String, String> check() {
        Map<String, String> results = new LinkedHashMap<>();
        results.put("ping", null);
        results.put("runtime", runtime());
        results.put("api", api());
        return results;
    }

    private String runtime() {
        // A runtime that hangs (a stuck containerd) must fail the check rather than hang the caller.
        try {
            CompletableFuture.supplyAsync(() -> {
                try {
                    return sandboxes.list();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(RUNTIME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (java.util.concurrent.TimeoutException e) {
            return "the runtime did not list its sandboxes within " + RUNTIME_TIMEOUT.toSeconds() + " s";
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.io.UncheckedIOException unchecked ? unchecked.getCause()
                    : e.getCause();
            return "the runtime could not list its sandboxes: " + cause.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private String api() {
        Instant renewed = lastRenewal.get();
        if (renewed == null) {
            return "the node's Lease has not been renewed yet";
        }
        Duration since = Duration.between(renewed, Instant.now());
        return since.compareTo(API_STALE) > 0 ? "the node's Lease was last renewed " + since.toSeconds() + " s ago"
                : null;
    }
}
