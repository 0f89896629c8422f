/** What the scheduler and controllers share as Kubernetes clients: the work queue they reconcile from, non-blocking writes and events, and the in-process client's address. */
package io.qube.client;
