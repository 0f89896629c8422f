/**
 * Persistent volumes in the controller manager: binding claims to volumes and their phases, the external
 * provisioner protocol, expansion of local-path claims, and the pvc-protection and pv-protection finalizers.
 */
package io.qube.controller.volume;
