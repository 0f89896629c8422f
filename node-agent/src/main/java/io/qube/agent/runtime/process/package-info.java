/** The process runtime: containers as host process groups under a shim, each pod in its own namespaces and cgroups when root. */
package io.qube.agent.runtime.process;
