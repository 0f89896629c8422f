/** Kubernetes' garbage collector: dependents of owners that are gone are deleted, and Orphan and Foreground deletions are carried out through their finalizers. */
package io.qube.controller.garbagecollector;
