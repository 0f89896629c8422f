/** Starting Qube: the all-in-one main, the embedded PostgreSQL used when no database is configured, and the wiring of the store and its health checks into the application. */
package io.qube.launcher;
