/** Admission: Kubernetes' defaults and validation for each served kind, and the metadata rules all kinds share. */
package io.qube.apiserver.admission;
