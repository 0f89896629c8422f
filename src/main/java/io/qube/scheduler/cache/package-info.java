/** The scheduler cache: nodes with their bound and assumed pods, copied into each cycle's snapshot. */
package io.qube.scheduler.cache;
