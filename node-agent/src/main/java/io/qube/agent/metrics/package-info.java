/** The node's own metrics and health under the kubelet's and kube-proxy's names, served on the node's endpoint. */
package io.qube.agent.metrics;
