/** The contract between pod logic and a container runtime (sandboxes and containers, as CRI has them). */
package io.qube.agent.runtime;
