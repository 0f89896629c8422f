/** The DaemonSet controller: one daemon pod on every node that should run it, rolled out through ControllerRevisions. */
package io.qube.controller.daemonset;
