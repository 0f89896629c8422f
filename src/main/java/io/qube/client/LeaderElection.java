package io.qube.client;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a component only while this process holds its Lease in kube-system, as kube-scheduler and
 * kube-controller-manager do: {@code lead} when the lease is won, {@code stepDown} when it is lost, and then it
 * runs for the lease again (where the Kubernetes components exit and are restarted). The gauge
 * {@code leader_election_master_status{name}} says whether this process leads.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);
    private static final String LEASE_NAMESPACE = "kube-system";
    private static final Duration RELEASE_PATIENCE = Duration.ofSeconds(2);

    private final String lease;
    private final LeaderElectionSettings settings;
    private final Runnable lead;
    private final Runnable stepDown;
    private final String identity = hostAndUuid();
    private final AtomicInteger leading = new AtomicInteger();
    private final ExecutorService terms;
    private CompletableFuture<?> election;
    private volatile boolean stopped;

    public LeaderElection(String lease, LeaderElectionSettings settings, MeterRegistry registry, Runnable lead,
                          Runnable stepDown) {
        this.lease = lease;
        this.settings = settings;
        this.lead = lead;
        this.stepDown = stepDown;
        this.terms = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, lease + "-term");
            thread.setDaemon(true);
            return thread;
        });
        Gauge.builder("leader.election.master.status", leading, AtomicInteger::get)
                .description("Whether this process is the leader (1) or not (0).")
                .tag("name", lease).register(registry);
    }

    /** host_uuid, as Kubernetes' components name their lease holder. */
    public String identity() {
        return identity;
    }

    /** Whether this process leads now (always, once started, when leader election is off). */
    public boolean isLeader() {
        return leading.get() == 1;
    }

    /** Leads at once when leader election is off; otherwise runs for the lease until closed. */
    public synchronized void start(KubernetesClient client) {
        if (!settings.enabled()) {
            leading();
            return;
        }
        campaign(client);
    }

    /** One campaign; a fabric8 LeaderElector runs once, so each new campaign gets a new one. */
    private synchronized void campaign(KubernetesClient client) {
        if (stopped) {
            return;
        }
        LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(lease)
                .withLock(new LeaseLock(LEASE_NAMESPACE, lease, identity))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::leading, this::notLeading,
                        leader -> LOG.infof("%s leader is now %s", lease, leader)))
                .build()).build();
        election = elector.start();
        election.whenComplete((done, failure) -> {
            if (!stopped) {
                CompletableFuture.delayedExecutor(settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> campaign(client));
            }
        });
    }

    /**
     * fabric8 calls back from inside its acquire-or-renew step: a component that started there (the scheduler
     * waits for its informers) held up the first renewal, and a slow start let the lease lapse to a standby. The
     * component starts and stops on a thread of its own, in order.
     */
    private void leading() {
        if (stopped) {
            return;
        }
        terms.execute(() -> {
            lead.run();
            leading.set(1);
        });
    }

    /** Once closed, close itself steps down. */
    private void notLeading() {
        if (stopped) {
            return;
        }
        terms.execute(() -> {
            leading.set(0);
            stepDown.run();
        });
    }

    /**
     * Stops leading and campaigning. Releasing the lease asks the API, which may be this very process shutting
     * down: the release gets {@link #RELEASE_PATIENCE}, after which the lease is left to expire (a standby then
     * takes over within leaseDuration plus retryPeriod, as after a crash).
     */
    @Override
    public void close() {
        CompletableFuture<?> running;
        synchronized (this) {
            stopped = true;
            running = election;
        }
        if (running != null) {
            Thread release = new Thread(() -> running.cancel(true), lease + "-release");
            release.setDaemon(true);
            release.start();
            try {
                release.join(RELEASE_PATIENCE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Stepping down now, on the closing thread: whoever closes expects the component stopped on return.
        leading.set(0);
        terms.shutdownNow();
        stepDown.run();
    }

    private static String hostAndUuid() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "qube";
        }
        return host + "_" + UUID.randomUUID();
    }
}
