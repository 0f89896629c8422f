package io.qube.agent.metrics;

import io.qube.agent.runtime.ContainerConfig;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.ExecResult;
import io.qube.agent.runtime.Execution;
import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.Sandbox;
import io.qube.agent.runtime.SandboxConfig;
import io.qube.agent.runtime.SandboxStatus;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A runtime that records its calls, answers from memory, and fails every call once told to. */
final class FakeRuntime implements ContainerRuntime {
    final List<String> calls = new java.util.ArrayList<>();
    final Sandbox sandbox = new Sandbox("uid-1", "10.122.0.2", Path.of("/pods/uid-1"), null);
    volatile boolean failing;

    private void call(String name) throws IOException {
        calls.add(name);
        if (failing) {
            throw new IOException("runtime down");
        }
    }

    @Override
    public String version() {
        return "test://1";
    }

    @Override
    public Sandbox runSandbox(SandboxConfig config) throws IOException {
        call("runSandbox");
        return sandbox;
    }

    @Override
    public void removeSandbox(String podUid) throws IOException {
        call("removeSandbox");
    }

    @Override
    public ContainerStatus startContainer(Sandbox sandbox, ContainerConfig config) throws IOException {
        call("startContainer");
        return new ContainerStatus("c1", "web", 0, true, 1, Instant.now(), null, 0, null, null, null);
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) throws IOException {
        call("stopContainer");
    }

    @Override
    public void removeContainer(String containerId) throws IOException {
        call("removeContainer");
    }

    @Override
    public SandboxStatus sandbox(String podUid) throws IOException {
        call("sandbox");
        return null;
    }

    @Override
    public ContainerStatus container(String containerId) throws IOException {
        call("container");
        return null;
    }

    @Override
    public List<SandboxStatus> sandboxes() throws IOException {
        call("sandboxes");
        try {
            Thread.sleep(20); // a listing that takes measurable time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of();
    }

    @Override
    public Path logPath(String containerId) {
        return Path.of("/logs", containerId);
    }

    @Override
    public Execution exec(String containerId, List<String> command, boolean tty, boolean stdin) throws IOException {
        call("exec");
        return null;
    }

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) throws IOException {
        call("execSync");
        return new ExecResult(0, "", false);
    }

    @Override
    public Optional<ImageManager> images() {
        return Optional.of(new ImageManager() {
            @Override
            public Image status(String image) {
                return null;
            }

            @Override
            public Image pull(String image, List<RegistryCredentials> credentials) throws PullFailure {
                throw new PullFailure("not found");
            }

            @Override
            public List<Image> list() {
                return List.of();
            }

            @Override
            public void remove(String imageId) {
            }

            @Override
            public ImageFs imageFs() {
                return new ImageFs(Path.of("/"), 0);
            }
        });
    }

    @Override
    public void close() {
    }
}
