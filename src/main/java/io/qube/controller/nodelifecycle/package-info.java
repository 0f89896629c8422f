/** Kubernetes' node lifecycle controller: nodes that stop renewing their Lease turn Unknown, node conditions become taints, and pods that do not tolerate a NoExecute taint are evicted. */
package io.qube.controller.nodelifecycle;
