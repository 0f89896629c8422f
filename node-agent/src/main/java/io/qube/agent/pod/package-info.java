/** The kubelet's pod logic: pods bound to the node driven to their spec by per-pod workers over a runtime, with status and events. */
package io.qube.agent.pod;
