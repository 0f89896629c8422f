/** Namespace deletion: empties a terminating namespace, then releases its "kubernetes" finalizer so it goes. */
package io.qube.controller.namespace;
