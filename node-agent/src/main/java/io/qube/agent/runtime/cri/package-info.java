/** The cri runtime: pods as CRI sandboxes and containers of containerd (or any CRI v1 runtime) over gRPC. */
package io.qube.agent.runtime.cri;
