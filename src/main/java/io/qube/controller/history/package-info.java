/** ControllerRevisions as the DaemonSet and StatefulSet controllers keep them: one per template, numbered, pruned. */
package io.qube.controller.history;
