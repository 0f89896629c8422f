/** The Kubernetes REST API over the store: routes, request parsing, the verbs, watches and Status errors. */
package io.qube.apiserver;
