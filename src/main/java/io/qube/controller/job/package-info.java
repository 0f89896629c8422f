/** Kubernetes' Job controller, and the TTL-after-finished controller that deletes finished Jobs. */
package io.qube.controller.job;
