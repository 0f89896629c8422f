package io.qube.agent;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client writing ConfigMaps one after another while the apiservers behind its address roll: what "no error seen
 * by a client" means in a test. The client retries nothing itself (the caller gives it no retries); this writer
 * retries a create only when no HTTP answer came (a connection refused or reset while a pod stops), as Kubernetes
 * clients do, and takes an AlreadyExists after such a retry as the first attempt's success. Every HTTP error answer
 * is recorded: 5xx must never happen, and each acknowledged name must be readable afterwards.
 */
final class ConfigMapWriter implements AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    final List<String> acknowledged = new CopyOnWriteArrayList<>();
    final List<String> errorAnswers = new CopyOnWriteArrayList<>();
    final List<String> connectionFailures = new CopyOnWriteArrayList<>();

    ConfigMapWriter(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        this.thread = new Thread(this::write, "configmap-writer");
        thread.start();
    }

    private void write() {
        for (int i = 0; running.get(); i++) {
            String name = "write-" + i;
            boolean retried = false;
            while (running.get()) {
                try {
                    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                            .withName(name).endMetadata().addToData("i", Integer.toString(i)).build()).create();
                    acknowledged.add(name);
                    break;
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 409 && retried) {
                        acknowledged.add(name); // the attempt whose answer was lost had created it
                        break;
                    }
                    if (e.getCode() > 0) {
                        errorAnswers.add(name + ": " + e.getCode() + " " + e.getMessage());
                        break;
                    }
                    connectionFailures.add(name + ": " + e.getMessage());
                    retried = true;
                    pause();
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200); // between retries of a refused connection, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
