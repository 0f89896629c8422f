/** The contract of Qube's cluster-state store: keys, stored objects, selectors, watch events and the errors a caller can act on. */
package io.qube.store;
