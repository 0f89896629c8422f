/** Following the change log into an in-memory watch cache per resource type, and fanning its events out to watchers. */
package io.qube.store.watch;
