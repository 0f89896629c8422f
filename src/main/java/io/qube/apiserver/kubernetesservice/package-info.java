/** The apiservers' own service, default/kubernetes, with its Endpoints and EndpointSlices, kept from their Leases. */
package io.qube.apiserver.kubernetesservice;
