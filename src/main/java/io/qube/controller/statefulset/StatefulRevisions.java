package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.qube.controller.history.History;
import io.qube.controller.history.TemplateRevisions;


/**
 * The two revisions a StatefulSet works with: the current one (status.currentRevision, that pods below the
 * partition keep) and the update one (its template now); a revision is named by its ControllerRevision's name,
 * which pods carry in their controller-revision-hash label.
 */
record StatefulRevisions(String current, PodTemplateSpec currentTemplate, String update,
                         PodTemplateSpec updateTemplate) {

    /** Picks the current revision among the set's history: status.currentRevision if it still exists. */
    static StatefulRevisions of(StatefulSet set, History.Revisions history) {
        ControllerRevision update = history.current();
        String stored = set.getStatus() == null ? null : set.getStatus().getCurrentRevision();
        ControllerRevision current = history.all().stream()
                .filter(revision -> revision.getMetadata().getName().equals(stored)).findFirst().orElse(update);
        PodTemplateSpec currentTemplate = TemplateRevisions.template(current);
        return new StatefulRevisions(current.getMetadata().getName(),
                currentTemplate == null ? set.getSpec().getTemplate() : currentTemplate,
                update.getMetadata().getName(), set.getSpec().getTemplate());
    }

    /** The StatefulSet as the owner of its history. */
    static History.Owner owner(StatefulSet set) {
        return new History.Owner(set, set.getSpec().getSelector(), set.getSpec().getTemplate(),
                set.getStatus() == null ? null : set.getStatus().getCollisionCount(),
                set.getSpec().getRevisionHistoryLimit());
    }
}
