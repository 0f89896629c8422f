/** The apiserver's paths to nodes: pods/log (then exec and port-forward) proxied to the node agent's endpoint. */
package io.qube.apiserver.node;
