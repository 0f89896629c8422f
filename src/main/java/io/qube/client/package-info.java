/** What the scheduler, controllers and API server share as Kubernetes clients: the work queue they reconcile from, non-blocking writes and events, the in-process client's address, selectors, claim-to-volume matching and the storage annotation names. */
package io.qube.client;
