/** What the scheduler, controllers and API server share as Kubernetes clients: the work queue they reconcile from, non-blocking writes and events, the in-process client's address, selectors, claim-to-volume matching, the storage annotation names, and the disruption budget condition the eviction subresource sets too. */
package io.qube.client;
