package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Kubernetes' validation of a Pod: its spec, what only a pod (not a template) must satisfy, and on an update the
 * rule that a running pod's spec is fixed except for a few fields (ValidatePodUpdate).
 */
final class PodValidation {

    private static final String UPDATABLE_FIELDS = "`spec.containers[*].image`,`spec.initContainers[*].image`,"
            + "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    private PodValidation() {
    }

    static void validate(Pod pod, Pod old, FieldErrors errors) {
        PodSpec spec = pod.getSpec() == null ? new PodSpec() : pod.getSpec();
        PodSpecValidation.validate(spec, "spec", true, errors);
        imagesWithoutSurroundingSpace(NullSafe.list(spec.getContainers()), "spec.containers", errors);
        imagesWithoutSurroundingSpace(NullSafe.list(spec.getInitContainers()), "spec.initContainers", errors);
        if (old == null) {
            // Ephemeral containers are added to a running pod through their own subresource, never at creation.
            if (!NullSafe.list(spec.getEphemeralContainers()).isEmpty()) {
                errors.forbidden("spec.ephemeralContainers", "cannot be set on create");
            }
        } else {
            update(spec, old.getSpec() == null ? new PodSpec() : old.getSpec(), errors);
        }
    }

    /** A template's image may be " " as a placeholder, but a pod's image is pulled as written. */
    private static void imagesWithoutSurroundingSpace(List<Container> containers, String path, FieldErrors errors) {
        for (int i = 0; i < containers.size(); i++) {
            String image = NullSafe.string(containers.get(i).getImage());
            if (!image.equals(image.strip())) {
                errors.invalid(path + "[" + i + "].image", image, "must not have leading or trailing whitespace");
            }
        }
    }

    private static void update(PodSpec spec, PodSpec old, FieldErrors errors) {
        if (addsOrRemovesContainers(spec.getContainers(), old.getContainers(), "spec.containers", errors)
                || addsOrRemovesContainers(spec.getInitContainers(), old.getInitContainers(), "spec.initContainers", errors)) {
            return;
        }
        if (!activeDeadlineUpdate(spec.getActiveDeadlineSeconds(), old.getActiveDeadlineSeconds(), errors)) {
            return;
        }
        onlyAddedTolerations(NullSafe.list(spec.getTolerations()), NullSafe.list(old.getTolerations()), errors);
        onlyRemovedSchedulingGates(NullSafe.list(spec.getSchedulingGates()), NullSafe.list(old.getSchedulingGates()), errors);
        ObjectNode oldJson = Json.MAPPER.valueToTree(old);
        ObjectNode munged = withUpdatableFieldsFrom(Json.MAPPER.valueToTree(spec), oldJson);
        if (!munged.equals(oldJson)) {
            errors.forbidden("spec", "pod updates may not change fields other than " + UPDATABLE_FIELDS
                    + "\nchanged: " + String.join(", ", changedFields(oldJson, munged)));
        }
    }

    private static boolean addsOrRemovesContainers(List<Container> containers, List<Container> old, String path,
                                                   FieldErrors errors) {
        if (NullSafe.list(containers).size() != NullSafe.list(old).size()) {
            errors.forbidden(path, "pod updates may not add or remove containers");
            return true;
        }
        return false;
    }

    /** The deadline may be set, or shortened, never lengthened or removed. @return whether to go on checking */
    private static boolean activeDeadlineUpdate(Long deadline, Long old, FieldErrors errors) {
        String path = "spec.activeDeadlineSeconds";
        if (deadline != null) {
            if (deadline < 0 || deadline > Integer.MAX_VALUE) {
                errors.invalid(path, deadline, NameSyntax.inclusiveRange(0, Integer.MAX_VALUE));
                return false;
            }
            if (old != null && old < deadline) {
                errors.invalid(path, deadline, "must be less than or equal to previous value");
                return false;
            }
        } else if (old != null) {
            errors.invalid(path, null, "must not update from a positive integer to nil value");
        }
        return true;
    }

    /** Existing tolerations stay as they are (their tolerationSeconds aside); new ones may be added. */
    private static void onlyAddedTolerations(List<Toleration> tolerations, List<Toleration> old, FieldErrors errors) {
        for (Toleration existing : old) {
            boolean kept = tolerations.stream().anyMatch(toleration ->
                    Objects.equals(NullSafe.string(toleration.getKey()), NullSafe.string(existing.getKey()))
                            && Objects.equals(NullSafe.string(toleration.getOperator()), NullSafe.string(existing.getOperator()))
                            && Objects.equals(NullSafe.string(toleration.getValue()), NullSafe.string(existing.getValue()))
                            && Objects.equals(NullSafe.string(toleration.getEffect()), NullSafe.string(existing.getEffect())));
            if (!kept) {
                errors.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds");
                return;
            }
        }
    }

    /** Scheduling gates hold a pod back until removed; adding one to a pod would hold back a scheduled pod. */
    private static void onlyRemovedSchedulingGates(List<PodSchedulingGate> gates, List<PodSchedulingGate> old,
                                                   FieldErrors errors) {
        Set<String> existing = old.stream().map(gate -> NullSafe.string(gate.getName())).collect(Collectors.toSet());
        for (int i = 0; i < gates.size(); i++) {
            String name = NullSafe.string(gates.get(i).getName());
            if (!existing.contains(name)) {
                errors.forbidden("spec.schedulingGates[" + i + "].name",
                        "only deletion is allowed, but found new scheduling gate '" + name + "'");
            }
        }
    }

    /** The new spec with every field an update may change taken from the old one: what must then be equal. */
    private static ObjectNode withUpdatableFieldsFrom(ObjectNode spec, ObjectNode old) {
        for (String containers : List.of("containers", "initContainers")) {
            JsonNode newList = spec.path(containers);
            JsonNode oldList = old.path(containers);
            for (int i = 0; i < newList.size(); i++) {
                JsonNode oldImage = oldList.path(i).path("image");
                if (oldImage.isMissingNode()) {
                    ((ObjectNode) newList.get(i)).remove("image");
                } else {
                    ((ObjectNode) newList.get(i)).set("image", oldImage);
                }
            }
        }
        for (String field : List.of("activeDeadlineSeconds", "tolerations", "schedulingGates")) {
            copyField(old, spec, field);
        }
        // A negative grace period (delete at once) may be replaced by 1, the smallest valid one.
        if (old.path("terminationGracePeriodSeconds").asLong(0) < 0 && spec.path("terminationGracePeriodSeconds").asLong(0) == 1) {
            copyField(old, spec, "terminationGracePeriodSeconds");
        }
        return spec;
    }

    private static void copyField(ObjectNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field));
        } else {
            to.remove(field);
        }
    }

    /** The top-level spec fields that differ, to tell the user what the update tried to change. */
    private static List<String> changedFields(ObjectNode old, ObjectNode updated) {
        Set<String> names = new TreeSet<>();
        old.fieldNames().forEachRemaining(names::add);
        updated.fieldNames().forEachRemaining(names::add);
        List<String> changed = new ArrayList<>();
        for (String name : names) {
            if (!Objects.equals(old.get(name), updated.get(name))) {
                changed.add("spec." + name);
            }
        }
        return changed;
    }
}
