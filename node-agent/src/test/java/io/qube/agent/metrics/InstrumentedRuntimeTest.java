package io.qube.agent.metrics;

import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.ProcessNamespace;
import io.qube.agent.runtime.SandboxConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstrumentedRuntimeTest {

    private final KubeletMetrics metrics = new KubeletMetrics("node-a");
    private final FakeRuntime underneath = new FakeRuntime();
    private final InstrumentedRuntime runtime = new InstrumentedRuntime(underneath, metrics);

    @Test
    void eachCallIsCountedAndTimedUnderTheKubeletsOperationName() throws IOException {
        runtime.sandboxes();
        runtime.sandboxes();
        runtime.runSandbox(new SandboxConfig("uid-1", "default", "web", false, "web", false, null,
                ProcessNamespace.CONTAINER, false));
        runtime.startContainer(underneath.sandbox, null);

        PrometheusSamples samples = PrometheusSamples.parse(metrics.scrape());
        assertThat(samples.value("kubelet_runtime_operations_total", Map.of("operation_type", "list_podsandbox")))
                .isEqualTo(2.0);
        assertThat(samples.value("kubelet_runtime_operations_total", Map.of("operation_type", "run_podsandbox")))
                .isEqualTo(1.0);
        assertThat(samples.value("kubelet_runtime_operations_total", Map.of("operation_type", "start_container")))
                .isEqualTo(1.0);
        assertThat(samples.value("kubelet_runtime_operations_duration_seconds_count",
                Map.of("operation_type", "list_podsandbox"))).isEqualTo(2.0);
        // the sandbox listing waits 20 ms in the runtime underneath: the time is the call's
        assertThat(samples.value("kubelet_runtime_operations_duration_seconds_sum",
                Map.of("operation_type", "list_podsandbox"))).isGreaterThanOrEqualTo(0.04);
        assertThat(samples.value("kubelet_runtime_operations_errors_total",
                Map.of("operation_type", "list_podsandbox"))).isNull();
        assertThat(underneath.calls).containsExactly("sandboxes", "sandboxes", "runSandbox", "startContainer");
    }

    @Test
    void theUsageOfSeveralContainersIsOneListContainerStats() throws IOException {
        runtime.usage(List.of("c1", "c2", "c3"));

        PrometheusSamples samples = PrometheusSamples.parse(metrics.scrape());
        assertThat(samples.value("kubelet_runtime_operations_total",
                Map.of("operation_type", "list_container_stats"))).isEqualTo(1.0);
        assertThat(samples.value("kubelet_runtime_operations_total", Map.of("operation_type", "container_stats")))
                .isNull();
    }

    @Test
    void aFailedCallIsAnErrorAndItsExceptionReachesTheCaller() {
        underneath.failing = true;

        assertThatThrownBy(() -> runtime.stopContainer("c1", Duration.ZERO)).isInstanceOf(IOException.class)
                .hasMessage("runtime down");
        assertThatThrownBy(() -> runtime.container("c1")).isInstanceOf(IOException.class);

        PrometheusSamples samples = PrometheusSamples.parse(metrics.scrape());
        assertThat(samples.value("kubelet_runtime_operations_total", Map.of("operation_type", "stop_container")))
                .isEqualTo(1.0);
        assertThat(samples.value("kubelet_runtime_operations_errors_total",
                Map.of("operation_type", "stop_container"))).isEqualTo(1.0);
        assertThat(samples.value("kubelet_runtime_operations_errors_total",
                Map.of("operation_type", "container_status"))).isEqualTo(1.0);
    }

    @Test
    void imageCallsAreCountedToo() throws Exception {
        ImageManager images = runtime.images().orElseThrow();
        images.list();
        assertThatThrownBy(() -> images.pull("missing:1", List.of())).isInstanceOf(ImageManager.PullFailure.class);

        PrometheusSamples samples = PrometheusSamples.parse(metrics.scrape());
        assertThat(samples.value("kubelet_runtime_operations_total", Map.of("operation_type", "list_images")))
                .isEqualTo(1.0);
        assertThat(samples.value("kubelet_runtime_operations_errors_total", Map.of("operation_type", "pull_image")))
                .isEqualTo(1.0);
    }

    @Test
    void everyMethodOfTheRuntimeIsPassedOn() {
        // A method added to ContainerRuntime with a default body would otherwise answer the default, not the
        // runtime's: the wrapper must override each one.
        for (java.lang.reflect.Method method : ContainerRuntime.class.getMethods()) {
            assertThat(java.util.Arrays.stream(InstrumentedRuntime.class.getDeclaredMethods()).anyMatch(own ->
                    own.getName().equals(method.getName())
                            && java.util.Arrays.equals(own.getParameterTypes(), method.getParameterTypes())))
                    .as("InstrumentedRuntime overrides %s", method).isTrue();
        }
    }

    @Test
    void theLogPathIsNoRuntimeCall() {
        assertThat(runtime.logPath("c1")).isEqualTo(Path.of("/logs/c1"));
        assertThat(PrometheusSamples.parse(metrics.scrape()).value("kubelet_runtime_operations_total")).isNull();
    }
}
