package io.qube.agent.proxy;

import io.qube.agent.service.ServiceCatalog;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The node's service proxy in iptables mode, as kube-proxy's: a change in the {@link ServiceCatalog} marks it
 * dirty; one thread, {@link #COALESCE} later (so a burst of changes costs one sync), computes the rules from the
 * whole catalog ({@link ProxyRules}) and applies what differs from its last sync ({@link ProxySync}): fully at
 * start (adopting what an agent killed with -9 left) and after a failure, partially otherwise. Closing removes the
 * proxy's chains and jumps; connections already made keep their conntrack entries and so their endpoint.
 */
public final class ServiceProxy implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServiceProxy.class);
    private static final long COALESCE = 100;
    private static final long RETRY = 1000;

    private final ServiceCatalog catalog;
    private final ProxyRules rules;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "service-proxy");
        thread.setDaemon(true);
        return thread;
    });
    /** Only the loop's thread touches it. */
    private final ProxySync sync = new ProxySync(ProxyTables.HOST);

    /** Told how long each successful sync took (kube-proxy's sync metrics). */
    private final Consumer<Duration> synced;

    private ServiceProxy(ServiceCatalog catalog, ProxyRules rules, Consumer<Duration> synced) {
        this.catalog = catalog;
        this.rules = rules;
        this.synced = synced;
    }

    /**
     * @param node    this node's name
     * @param podCidr this node's pod CIDR
     * @param synced  told how long each successful sync took
     */
    public static ServiceProxy start(ServiceCatalog catalog, String node, String podCidr,
                                     Consumer<Duration> synced) {
        ProxyTables.prepareHost();
        ServiceProxy proxy = new ServiceProxy(catalog, new ProxyRules(node, podCidr), synced);
        catalog.onChange(proxy::markDirty);
        proxy.markDirty();
        return proxy;
    }

    private void markDirty() {
        if (dirty.compareAndSet(false, true)) {
            schedule(COALESCE);
        }
    }

    private void schedule(long delayMillis) {
        try {
            loop.schedule(this::sync, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // a change that came while the proxy closes: its chains are being removed
        }
    }

    private void sync() {
        dirty.set(false);
        long start = System.nanoTime();
        try {
            boolean full = sync.apply(rules.compute(catalog.services(), catalog::slices));
            synced.accept(Duration.ofNanos(System.nanoTime() - start));
            LOG.debugf("service proxy: %s sync in %d ms", full ? "full" : "partial",
                    (System.nanoTime() - start) / 1_000_000);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("service proxy sync failed, a full sync follows in %d ms: %s", RETRY, e.getMessage());
            if (dirty.compareAndSet(false, true)) {
                schedule(RETRY);
            }
        }
    }

    /**
     * Stops syncing, then removes the jumps and every chain of the proxy. An interrupt of the closing thread (the
     * agent's stop) must not cut the removal short: it is remembered and set again at the end.
     */
    @Override
    public void close() {
        boolean interrupted = Thread.interrupted();
        loop.shutdownNow();
        boolean stopped = false;
        try {
            stopped = loop.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        try {
            if (stopped) {
                sync.remove();
                LOG.info("removed the service proxy's chains: this node's agent stops");
            } else {
                // A sync still running could write chains back behind the removal: better leave them whole.
                LOG.warn("the service proxy's last sync did not end in 30 s: its chains stay");
            }
        } catch (IOException e) {
            LOG.warnf("could not remove the service proxy's chains: %s", e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
