package io.qube.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.controller.api.Informers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The informers of one leadership term: made on first request, started when a controller awaits them, closed together.
 * Each controller gets its own {@link #view}, which waits only for the kinds that controller asked for (as each of
 * kube-controller-manager's controllers waits for its own informers' sync): a new leader's ReplicaSets do not wait
 * for the garbage collector to list every kind.
 */
final class SharedInformers implements AutoCloseable {

    /** A list that takes longer means the API is not answering; the controllers' start fails and is retried. */
    private static final Duration SYNC_PATIENCE = Duration.ofMinutes(2);

    private final KubernetesClient client;
    private final Map<Class<?>, SharedIndexInformer<?>> informers = new LinkedHashMap<>();
    private boolean closed;

    SharedInformers(KubernetesClient client) {
        this.client = client;
    }

    @SuppressWarnings("unchecked")
    synchronized <T extends HasMetadata> SharedIndexInformer<T> of(Class<T> kind) {
        if (closed) {
            throw new IllegalStateException("the informers were closed");
        }
        return (SharedIndexInformer<T>) informers.computeIfAbsent(kind, k -> {
            SharedIndexInformer<T> informer = client.resources(kind).inAnyNamespace().runnableInformer(0);
            informer.addIndexers(Map.of(ControllerRefs.CONTROLLER_INDEX, ControllerRefs::controllerIndexKeys));
            return informer;
        });
    }

    /** The informers as one controller sees them: the same shared ones, synced as far as it needs. */
    Informers view() {
        return new Informers() {
            private final Set<SharedIndexInformer<?>> asked = ConcurrentHashMap.newKeySet();

            @Override
            public <T extends HasMetadata> SharedIndexInformer<T> of(Class<T> kind) {
                SharedIndexInformer<T> informer = SharedInformers.this.of(kind);
                asked.add(informer);
                return informer;
            }

            @Override
            public void awaitSynced() {
                SharedInformers.this.awaitSynced(List.copyOf(asked));
            }
        };
    }

    private void awaitSynced(List<SharedIndexInformer<?>> wanted) {
        CompletableFuture<?>[] started;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the informers were closed");
            }
            // start() on a running informer hands back the future of its first list.
            started = wanted.stream().map(i -> i.start().toCompletableFuture()).toArray(CompletableFuture[]::new);
        }
        try {
            CompletableFuture.allOf(started).get(SYNC_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the informers listed", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the informers could not list their kinds", e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        informers.values().forEach(SharedIndexInformer::close);
        informers.clear();
    }
}
