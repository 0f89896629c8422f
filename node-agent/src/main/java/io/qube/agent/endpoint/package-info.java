/** The node's own HTTP endpoint, the kubelet's server: container logs, exec and port-forward for the apiserver to proxy. */
package io.qube.agent.endpoint;
