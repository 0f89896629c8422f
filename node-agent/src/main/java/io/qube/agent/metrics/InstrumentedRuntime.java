package io.qube.agent.metrics;

import io.qube.agent.runtime.ContainerConfig;
import io.qube.agent.runtime.Attachment;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ContainerUsage;
import io.qube.agent.runtime.ExecResult;
import io.qube.agent.runtime.Execution;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.SandboxConfig;
import io.qube.agent.runtime.SandboxStatus;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A runtime whose every call is counted and timed in {@link KubeletMetrics} under the CRI operation names the
 * kubelet's instrumented runtime service uses (run_podsandbox, list_podsandbox, container_status, pull_image...),
 * failures (an exception) also as errors. One wrapper around whatever runtime the node has, so the pod workers,
 * probes and endpoint are instrumented without knowing it. Our startContainer is CRI's create and start in one call:
 * it counts as start_container.
 */
public final class InstrumentedRuntime implements ContainerRuntime {

    private final ContainerRuntime runtime;
    private final KubeletMetrics metrics;

    public InstrumentedRuntime(ContainerRuntime runtime, KubeletMetrics metrics) {
        this.runtime = runtime;
        this.metrics = metrics;
    }

    @Override
    public String version() {
        return timed("version", runtime::version);
    }

    @Override
    public Sandbox runSandbox(SandboxConfig config) throws IOException {
        return timed("run_podsandbox", () -> runtime.runSandbox(config));
    }

    @Override
    public void removeSandbox(String podUid) throws IOException {
        timed("remove_podsandbox", () -> {
            runtime.removeSandbox(podUid);
            return null;
        });
    }

    @Override
    public ContainerStatus startContainer(Sandbox sandbox, ContainerConfig config) throws IOException {
        return timed("start_container", () -> runtime.startContainer(sandbox, config));
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) throws IOException {
        timed("stop_container", () -> {
            runtime.stopContainer(containerId, gracePeriod);
            return null;
        });
    }

    @Override
    public void removeContainer(String containerId) throws IOException {
        timed("remove_container", () -> {
            runtime.removeContainer(containerId);
            return null;
        });
    }

    @Override
    public SandboxStatus sandbox(String podUid) throws IOException {
        return timed("podsandbox_status", () -> runtime.sandbox(podUid));
    }

    @Override
    public Path network(String podUid) throws IOException {
        return timed("podsandbox_status", () -> runtime.network(podUid));
    }

    @Override
    public ContainerStatus container(String containerId) throws IOException {
        return timed("container_status", () -> runtime.container(containerId));
    }

    @Override
    public List<SandboxStatus> sandboxes() throws IOException {
        return timed("list_podsandbox", runtime::sandboxes);
    }

    /** A path by naming rule, not a call to the runtime: not counted. */
    @Override
    public Path logPath(String containerId) {
        return runtime.logPath(containerId);
    }

    @Override
    public Execution exec(String containerId, List<String> command, boolean tty, boolean stdin) throws IOException {
        return timed("exec", () -> runtime.exec(containerId, command, tty, stdin));
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) throws IOException {
        return timed("exec_sync", () -> runtime.execSync(containerId, command, timeout));
    }

    @Override
    public ContainerUsage usage(String containerId) throws IOException {
        return timed("container_stats", () -> runtime.usage(containerId));
    }

    @Override
    public Map<String, ContainerUsage> usage(Collection<String> containerIds) throws IOException {
        return timed("list_container_stats", () -> runtime.usage(containerIds));
    }

    @Override
    public Attachment attach(String containerId) throws IOException {
        return timed("attach", () -> runtime.attach(containerId));
    }

    @Override
    public void usePodCidr(String podCidr) throws IOException {
        timed("update_runtime_config", () -> {
            runtime.usePodCidr(podCidr);
            return null;
        });
    }

    @Override
    public Optional<ImageManager> images() {
        return runtime.images().map(Images::new);
    }

    /** The runtime underneath, for what is not a runtime call (a scrape's look at the pods must not count). */
    public ContainerRuntime unwrapped() {
        return runtime;
    }

    @Override
    public void close() {
        runtime.close();
    }

    private <T, E extends Exception> T timed(String operation, Call<T, E> call) throws E {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            T result = call.run();
            failed = false;
            return result;
        } finally {
            metrics.runtimeOperation(operation, Duration.ofNanos(System.nanoTime() - start), failed);
        }
    }

    @FunctionalInterface
    private interface Call<T, E extends Exception> {
        T run() throws E;
    }

    /** The image service's calls, under the kubelet's names for them. */
    private final class Images implements ImageManager {

        private final ImageManager images;

        private Images(ImageManager images) {
            this.images = images;
        }

        @Override
        public Image status(String image) throws IOException {
            return timed("image_status", () -> images.status(image));
        }

        @Override
        public Image pull(String image, List<RegistryCredentials> credentials) throws IOException, PullFailure {
            long start = System.nanoTime();
            boolean failed = true;
            try {
                Image pulled = images.pull(image, credentials);
                failed = false;
                return pulled;
            } finally {
                metrics.runtimeOperation("pull_image", Duration.ofNanos(System.nanoTime() - start), failed);
            }
        }

        @Override
        public List<Image> list() throws IOException {
            return timed("list_images", images::list);
        }

        @Override
        public void remove(String imageId) throws IOException {
            timed("remove_image", () -> {
                images.remove(imageId);
                return null;
            });
        }

        @Override
        public ImageFs imageFs() throws IOException {
            return timed("image_fs_info", images::imageFs);
        }
    }
}
