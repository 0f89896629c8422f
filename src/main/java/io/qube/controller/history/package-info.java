/** ControllerRevisions as the DaemonSet and StatefulSet controllers keep them: one per pod template, numbered, pruned. */
package io.qube.controller.history;
