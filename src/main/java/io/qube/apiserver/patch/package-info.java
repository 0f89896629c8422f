/** Kubernetes' four patch types (JSON patch, merge patch, strategic merge patch, server-side apply) and the managedFields they record, as a pure library over JSON trees. */
package io.qube.apiserver.patch;
