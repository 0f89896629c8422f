/** What the scheduler and controllers share as Kubernetes clients: the work queue they reconcile from and the in-process client. */
package io.qube.client;
