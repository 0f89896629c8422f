/** The scheduler framework: extension points, the state of a cycle, and the node and pod views plugins work on. */
package io.qube.scheduler.framework;
