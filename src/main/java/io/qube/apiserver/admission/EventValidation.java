package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.Event;
import io.qube.apiserver.registry.FieldErrors;

/**
 * Kubernetes' validation of a core/v1 Event. Old-style events (no eventTime, as kubectl and most controllers write
 * them) only need their namespace to agree with the object they are about; new-style ones (with eventTime) must
 * also say who reported what. Kubernetes requires nothing else of a core/v1 event, not even involvedObject.
 */
final class EventValidation {

    private static final int REPORTING_INSTANCE_MAX = 128;
    private static final int ACTION_MAX = 128;
    private static final int REASON_MAX = 128;
    private static final int NOTE_MAX = 1024;

    private EventValidation() {
    }

    static void validate(Event event, FieldErrors errors) {
        String namespace = event.getMetadata() == null ? "" : NullSafe.string(event.getMetadata().getNamespace());
        String involvedNamespace = event.getInvolvedObject() == null ? ""
                : NullSafe.string(event.getInvolvedObject().getNamespace());
        boolean newStyle = event.getEventTime() != null && !NullSafe.isEmpty(event.getEventTime().getTime());
        if (!newStyle) {
            // Events about cluster-scoped objects live in "default" (old clients) or in no namespace.
            boolean agrees = involvedNamespace.isEmpty()
                    ? namespace.isEmpty() || namespace.equals("default")
                    : namespace.equals(involvedNamespace);
            if (!agrees) {
                errors.invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace");
            }
        } else {
            if (involvedNamespace.isEmpty() && !namespace.equals("default") && !namespace.equals("kube-system")) {
                errors.invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace");
            }
            // core/v1 calls the reporting controller "source" in its messages, after the older field.
            String controller = NullSafe.string(event.getReportingComponent());
            if (controller.isEmpty()) {
                errors.required("source", "");
            }
            NameSyntax.qualifiedName(controller).forEach(problem -> errors.invalid("source", controller, problem));
            requiredWithin(event.getReportingInstance(), "reportingInstance", REPORTING_INSTANCE_MAX, errors);
            requiredWithin(event.getAction(), "action", ACTION_MAX, errors);
            requiredWithin(event.getReason(), "reason", REASON_MAX, errors);
            if (NullSafe.string(event.getMessage()).length() > NOTE_MAX) {
                errors.invalid("message", "", "can have at most " + NOTE_MAX + " characters");
            }
        }
        NameSyntax.dns1123Subdomain(namespace).forEach(problem -> errors.invalid("namespace", namespace, problem));
    }

    private static void requiredWithin(String value, String path, int max, FieldErrors errors) {
        if (NullSafe.isEmpty(value)) {
            errors.required(path, "");
        } else if (value.length() > max) {
            errors.invalid(path, "", "can have at most " + max + " characters");
        }
    }
}
