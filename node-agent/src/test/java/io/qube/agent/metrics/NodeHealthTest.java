package io.qube.agent.metrics;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class NodeHealthTest {

    private final FakeRuntime runtime = new FakeRuntime();
    private final AtomicReference<Instant> renewed = new AtomicReference<>();
    private final NodeHealth health = new NodeHealth(runtime, renewed::get);

    @Test
    void theApiCheckFailsUntilTheLeaseIsRenewedAndWhenRenewalsStop() {
        assertThat(health.check()).containsEntry("ping", null).containsEntry("runtime", null)
                .containsEntry("api", "the node's Lease has not been renewed yet");
        renewed.set(Instant.now());
        assertThat(health.check().get("api")).isNull();
        renewed.set(Instant.now().minus(NodeHealth.API_STALE).minusSeconds(5));
        assertThat(health.check().get("api")).startsWith("the node's Lease was last renewed 4");
    }

    @Test
    void theRuntimeCheckFailsWhenTheRuntimeCannotListItsSandboxes() {
        renewed.set(Instant.now());
        runtime.failing = true;

        assertThat(health.check()).containsEntry("api", null)
                .containsEntry("runtime", "the runtime could not list its sandboxes: runtime down");
    }
}
