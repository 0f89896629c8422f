/** The apiserver's paths to nodes: pods/log, pods/exec and pods/portforward proxied to the node agent's endpoint. */
package io.qube.apiserver.node;
