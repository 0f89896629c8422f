/**
 * The apiserver's paths to nodes: pods/log, pods/exec, pods/portforward and nodes/proxy proxied to the node agent's
 * endpoint.
 */
package io.qube.apiserver.node;
