/**
 * The apiservers' own service, default/kubernetes, with its Endpoints and EndpointSlices, kept from their Leases, and
 * the addons every cluster starts with (kube-dns Service, default local-path StorageClass), and the default RBAC
 * roles and bindings of kube-apiserver's bootstrap policy.
 */
package io.qube.apiserver.kubernetesservice;
