/** Preemption: finding the node where evicting lower-priority pods lets a pod fit, and choosing victims. */
package io.qube.scheduler.preemption;
