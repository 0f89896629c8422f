/**
 * The EndpointSlice controller: each service with a selector gets EndpointSlices of at most maxEndpointsPerSlice
 * endpoints, packed and reused as Kubernetes' reconciler does.
 */
package io.qube.controller.endpointslice;
