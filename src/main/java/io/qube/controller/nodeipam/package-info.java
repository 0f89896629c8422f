/** Kubernetes' node IPAM range allocator: every Node gets a pod CIDR of its own from the cluster CIDR. */
package io.qube.controller.nodeipam;
