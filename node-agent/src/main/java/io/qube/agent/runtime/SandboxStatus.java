package io.qube.agent.runtime;

import java.util.List;

/** A sandbox found in the runtime with every container it holds. */
public record SandboxStatus(Sandbox sandbox, String namespace, String name, List<ContainerStatus> containers) {
}
