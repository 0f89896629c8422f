/** The scheduling queue: active, backoff and unschedulable pods, and preemption's nominations. */
package io.qube.scheduler.queue;
