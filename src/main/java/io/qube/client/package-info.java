/** What the scheduler and controllers share as Kubernetes clients: the work queue they reconcile from, non-blocking writes and events, the in-process client's address, and the disruption budget condition the eviction subresource sets too. */
package io.qube.client;
