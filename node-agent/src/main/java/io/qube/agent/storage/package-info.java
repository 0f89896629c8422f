/** The node's side of storage: the local-path provisioner, which makes and reclaims this node's dynamically provisioned volumes. */
package io.qube.agent.storage;
