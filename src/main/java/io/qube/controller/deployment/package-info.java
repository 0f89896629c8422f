/**
 * The Deployment controller: ReplicaSets per pod template (revisions), rolled out by the RollingUpdate or
 * Recreate strategy, scaled proportionally, paused and resumed, old revisions cleaned up, status and conditions.
 */
package io.qube.controller.deployment;
