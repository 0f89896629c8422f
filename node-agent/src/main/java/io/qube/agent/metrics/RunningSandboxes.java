package io.qube.agent.metrics;

import io.qube.agent.runtime.SandboxStatus;

import java.io.IOException;
import java.util.List;

/**
 * The pods a node holds now, with their containers: a runtime's sandboxes, or a simulated node's pods (which have
 * no runtime), so that both are counted and checked by the same metrics and health paths.
 */
@FunctionalInterface
public interface RunningSandboxes {

    List<SandboxStatus> list() throws IOException;
}
