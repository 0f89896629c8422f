package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.qube.agent.runtime.ContainerRuntime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's probe workers: for each running container, its startup probe until it succeeds, then its
 * liveness and readiness probes, each on its own period with Kubernetes' defaults (period 10 s, timeout 1 s,
 * success threshold 1, failure threshold 3). Results reach the pod worker through a {@link Listener}: readiness
 * changes, and a liveness (or startup) failure that means the container must be restarted.
 */
final class Probes implements AutoCloseable {

    /** What the pod worker learns from probes. */
    interface Listener {
        /** Readiness or startedness changed: the status must be written again. */
        void changed();

        /** The probe failed failureThreshold times: the container is to be killed and restarted. */
        void failed(String probe, String message);

        /** One failed probe, for the Unhealthy event. */
        void unhealthy(String probe, String message);
    }

    private final ContainerRuntime runtime;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "probes");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Prober> probers = new ConcurrentHashMap<>();

    Probes(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    /** Starts probing a container run (once per run; a second call is a no-op). */
    void start(Container container, String containerId, String podIp, Listener listener) {
        probers.computeIfAbsent(containerId, id -> {
            Prober prober = new Prober(container, id, podIp, listener);
            prober.begin();
            return prober;
        });
    }

    void stop(String containerId) {
        Prober prober = probers.remove(containerId);
        if (prober != null) {
            prober.cancel();
        }
    }

    void stopPod(String podUid) {
        probers.keySet().stream().filter(id -> id.startsWith(podUid + "/")).toList().forEach(this::stop);
    }

    /** Ready by its readiness probe (ready once started when it has none). */
    boolean ready(String containerId) {
        Prober prober = probers.get(containerId);
        return prober != null && prober.started && prober.ready;
    }

    /** Started by its startup probe (at once when it has none). */
    boolean started(String containerId) {
        Prober prober = probers.get(containerId);
        return prober != null && prober.started;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private final class Prober {
        private final Container container;
        private final String containerId;
        private final String podIp;
        private final Listener listener;
        private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
        private volatile boolean started;
        private volatile boolean ready;
        private volatile boolean cancelled;

        Prober(Container container, String containerId, String podIp, Listener listener) {
            this.container = container;
            this.containerId = containerId;
            this.podIp = podIp;
            this.listener = listener;
            this.ready = container.getReadinessProbe() == null;
        }

        synchronized void begin() {
            if (container.getStartupProbe() == null) {
                started = true;
                afterStartup();
            } else {
                schedule("Startup", container.getStartupProbe(), success -> {
                    if (success && !started) {
                        started = true;
                        listener.changed();
                        afterStartup();
                        return false;
                    }
                    return true;
                });
            }
        }

        private synchronized void afterStartup() {
            if (container.getLivenessProbe() != null) {
                schedule("Liveness", container.getLivenessProbe(), success -> true);
            }
            if (container.getReadinessProbe() != null) {
                schedule("Readiness", container.getReadinessProbe(), success -> {
                    if (success != ready) {
                        ready = success;
                        listener.changed();
                    }
                    return true;
                });
            }
        }

        /** @param outcome given each threshold-crossing result; false stops the probe */
        private synchronized void schedule(String kind, Probe probe, java.util.function.Predicate<Boolean> outcome) {
            if (cancelled) {
                return;
            }
            long period = seconds(probe.getPeriodSeconds(), 10);
            Duration timeout = Duration.ofSeconds(seconds(probe.getTimeoutSeconds(), 1));
            int successThreshold = (int) seconds(probe.getSuccessThreshold(), 1);
            int failureThreshold = (int) seconds(probe.getFailureThreshold(), 3);
            int[] streak = {0, 0}; // successes, failures in a row
            ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
            Runnable check = () -> {
                if (cancelled) {
                    return;
                }
                ProbeCheck.Result result = ProbeCheck.run(runtime, containerId, container, podIp, probe.getExec(),
                        probe.getHttpGet(), probe.getTcpSocket(), timeout);
                if (cancelled) {
                    return;
                }
                if (result.success()) {
                    streak[1] = 0;
                    if (++streak[0] >= successThreshold && !outcome.test(true) && self[0] != null) {
                        self[0].cancel(false);
                    }
                    return;
                }
                streak[0] = 0;
                listener.unhealthy(kind, kind + " probe failed: " + result.message());
                if (++streak[1] >= failureThreshold) {
                    outcome.test(false);
                    if (!kind.equals("Readiness")) {
                        cancelled = true;
                        listener.failed(kind, result.message());
                    }
                }
            };
            self[0] = scheduler.scheduleWithFixedDelay(check, seconds(probe.getInitialDelaySeconds(), 0) * 1000,
                    period * 1000, TimeUnit.MILLISECONDS);
            tasks.add(self[0]);
        }

        synchronized void cancel() {
            cancelled = true;
            tasks.forEach(task -> task.cancel(false));
        }

        private static long seconds(Integer value, long absent) {
            return value == null || value <= 0 ? absent : value;
        }
    }
}
