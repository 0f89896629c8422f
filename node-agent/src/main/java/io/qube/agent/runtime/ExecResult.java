package io.qube.agent.runtime;

/**
 * What a command run to its end in a container gave (exec probes and hooks, as CRI's ExecSync answers).
 *
 * @param output   its standard output followed by its standard error
 * @param timedOut whether it was stopped at the timeout, in which case the exit code says nothing
 */
public record ExecResult(int exitCode, String output, boolean timedOut) {
}
