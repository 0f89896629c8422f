package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.registry.FieldErrors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes' validation of the workloads that run pods from a template. Their selector is what ties them to their
 * pods, so it must match the template's labels and (for apps/v1) never change after creation.
 */
final class WorkloadValidation {

    private WorkloadValidation() {
    }

    static void deployment(Deployment deployment, Deployment old, FieldErrors errors) {
        DeploymentSpec spec = deployment.getSpec() == null ? new DeploymentSpec() : deployment.getSpec();
        nonNegative(spec.getReplicas(), "spec.replicas", errors);
        replicatedPods(spec.getSelector(), spec.getTemplate(), "deployment", errors);
        strategy(spec.getStrategy() == null ? new DeploymentStrategy() : spec.getStrategy(), errors);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errors);
        nonNegative(spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit", errors);
        if (spec.getProgressDeadlineSeconds() != null) {
            nonNegative(spec.getProgressDeadlineSeconds(), "spec.progressDeadlineSeconds", errors);
            int minReady = spec.getMinReadySeconds() == null ? 0 : spec.getMinReadySeconds();
            if (spec.getProgressDeadlineSeconds() <= minReady) {
                errors.invalid("spec.progressDeadlineSeconds", spec.getProgressDeadlineSeconds(),
                        "must be greater than minReadySeconds");
            }
        }
        if (old != null && old.getSpec() != null) {
            selectorUnchanged(spec.getSelector(), old.getSpec().getSelector(), errors);
        }
    }

    static void replicaSet(ReplicaSet replicaSet, ReplicaSet old, FieldErrors errors) {
        ReplicaSetSpec spec = replicaSet.getSpec() == null ? new ReplicaSetSpec() : replicaSet.getSpec();
        nonNegative(spec.getReplicas(), "spec.replicas", errors);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errors);
        // Kubernetes says "deployment" here too: its ReplicaSet check was copied from the Deployment's.
        replicatedPods(spec.getSelector(), spec.getTemplate(), "deployment", errors);
        if (old != null && old.getSpec() != null) {
            selectorUnchanged(spec.getSelector(), old.getSpec().getSelector(), errors);
        }
    }

    static void daemonSet(DaemonSet daemonSet, DaemonSet old, FieldErrors errors) {
        DaemonSetSpec spec = daemonSet.getSpec() == null ? new DaemonSetSpec() : daemonSet.getSpec();
        LabelSelector selector = spec.getSelector();
        PodTemplateSpec template = spec.getTemplate() == null ? new PodTemplateSpec() : spec.getTemplate();
        if (selector != null) {
            LabelSelectors.validate(selector, "spec.selector", errors);
        }
        // No selector selects nothing, so it cannot match the template either.
        boolean matches = selector != null && LabelSelectors.toStoreSelector(selector)
                .map(parsed -> parsed.matches(NullSafe.map(labels(template)))).orElse(true);
        if (!matches) {
            selectorMismatch(template, errors);
        }
        if (selector != null && LabelSelectors.isEmpty(selector)) {
            errors.invalid("spec.selector", asJson(selector), "empty selector is invalid for daemonset");
        }
        template(template, "spec.template", errors);
        alwaysRestarts(template, errors);
        if (template.getSpec() != null && template.getSpec().getActiveDeadlineSeconds() != null) {
            errors.invalid("spec.template.spec.activeDeadlineSeconds", template.getSpec().getActiveDeadlineSeconds(),
                    "activeDeadlineSeconds in DaemonSet is not Supported");
        }
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errors);
        updateStrategy(spec.getUpdateStrategy() == null ? new DaemonSetUpdateStrategy() : spec.getUpdateStrategy(), errors);
        nonNegative(spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit", errors);
        if (old != null && old.getSpec() != null) {
            selectorUnchanged(selector, old.getSpec().getSelector(), errors);
        }
    }

    static void statefulSet(StatefulSet statefulSet, StatefulSet old, FieldErrors errors) {
        StatefulSetSpec spec = statefulSet.getSpec() == null ? new StatefulSetSpec() : statefulSet.getSpec();
        String policy = NullSafe.string(spec.getPodManagementPolicy());
        if (!policy.equals("OrderedReady") && !policy.equals("Parallel")) {
            errors.notSupported("spec.podManagementPolicy", policy, List.of("OrderedReady", "Parallel"));
        }
        statefulUpdateStrategy(spec.getUpdateStrategy() == null ? new StatefulSetUpdateStrategy()
                : spec.getUpdateStrategy(), errors);
        nonNegative(spec.getReplicas(), "spec.replicas", errors);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errors);
        if (spec.getOrdinals() != null) {
            nonNegative(spec.getOrdinals().getStart(), "spec.ordinals.start", errors);
        }
        if (spec.getPersistentVolumeClaimRetentionPolicy() != null) {
            var retention = spec.getPersistentVolumeClaimRetentionPolicy();
            List<String> choices = List.of("Retain", "Delete");
            if (!choices.contains(NullSafe.string(retention.getWhenDeleted()))) {
                errors.notSupported("spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
                        retention.getWhenDeleted(), choices);
            }
            if (!choices.contains(NullSafe.string(retention.getWhenScaled()))) {
                errors.notSupported("spec.persistentVolumeClaimRetentionPolicy.whenScaled",
                        retention.getWhenScaled(), choices);
            }
        }
        var claims = NullSafe.list(spec.getVolumeClaimTemplates());
        for (int i = 0; i < claims.size(); i++) {
            String path = "spec.volumeClaimTemplates[" + i + "]";
            var claim = claims.get(i);
            String name = claim.getMetadata() == null ? "" : NullSafe.string(claim.getMetadata().getName());
            if (name.isEmpty()) {
                errors.required(path + ".metadata.name", "name or generateName is required");
            } else {
                NameSyntax.dns1123Subdomain(name).forEach(problem -> errors.invalid(path + ".metadata.name", name,
                        problem));
            }
            StorageValidation.claimSpec(claim.getSpec() == null ? new PersistentVolumeClaimSpec() : claim.getSpec(),
                    path + ".spec", errors);
        }
        replicatedPods(spec.getSelector(), withClaimVolumes(spec), "statefulset", errors);
        if (old != null && old.getSpec() != null && !onlyMutableChanged(spec, old.getSpec())) {
            errors.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                    + "'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' "
                    + "and 'minReadySeconds' are forbidden");
        }
    }

    /**
     * The template as its pods will be: each claim template is a volume of that name (unless the template has one),
     * so mounts of it are valid.
     */
    private static PodTemplateSpec withClaimVolumes(StatefulSetSpec spec) {
        if (spec.getTemplate() == null || spec.getTemplate().getSpec() == null
                || NullSafe.list(spec.getVolumeClaimTemplates()).isEmpty()) {
            return spec.getTemplate();
        }
        PodTemplateSpec template = Json.MAPPER.convertValue(spec.getTemplate(), PodTemplateSpec.class);
        List<Volume> volumes = new ArrayList<>(NullSafe.list(template.getSpec().getVolumes()));
        for (var claim : spec.getVolumeClaimTemplates()) {
            String name = claim.getMetadata() == null ? null : claim.getMetadata().getName();
            if (!NullSafe.isEmpty(name) && volumes.stream().noneMatch(volume -> name.equals(volume.getName()))) {
                volumes.add(new VolumeBuilder().withName(name).withNewPersistentVolumeClaim().withClaimName(name)
                        .endPersistentVolumeClaim().build());
            }
        }
        template.getSpec().setVolumes(volumes);
        return template;
    }

    /** Whether the two specs differ only where a StatefulSet may change after creation. */
    private static boolean onlyMutableChanged(StatefulSetSpec spec, StatefulSetSpec old) {
        StatefulSetSpec fixed = Json.MAPPER.convertValue(spec, StatefulSetSpec.class);
        fixed.setReplicas(old.getReplicas());
        fixed.setOrdinals(old.getOrdinals());
        fixed.setTemplate(old.getTemplate());
        fixed.setUpdateStrategy(old.getUpdateStrategy());
        fixed.setRevisionHistoryLimit(old.getRevisionHistoryLimit());
        fixed.setPersistentVolumeClaimRetentionPolicy(old.getPersistentVolumeClaimRetentionPolicy());
        fixed.setMinReadySeconds(old.getMinReadySeconds());
        return asJson(fixed).equals(asJson(old));
    }

    private static void statefulUpdateStrategy(StatefulSetUpdateStrategy strategy, FieldErrors errors) {
        String type = NullSafe.string(strategy.getType());
        switch (type) {
            case "OnDelete" -> {
                if (strategy.getRollingUpdate() != null) {
                    errors.invalid("spec.updateStrategy.rollingUpdate", asJson(strategy.getRollingUpdate()),
                            "only allowed for updateStrategy 'RollingUpdate'");
                }
            }
            case "RollingUpdate" -> {
                if (strategy.getRollingUpdate() == null) {
                    return;
                }
                String path = "spec.updateStrategy.rollingUpdate";
                nonNegative(strategy.getRollingUpdate().getPartition(), path + ".partition", errors);
                IntOrString maxUnavailable = strategy.getRollingUpdate().getMaxUnavailable();
                if (maxUnavailable != null) {
                    intOrPercent(maxUnavailable, path + ".maxUnavailable", errors);
                    atMostAll(maxUnavailable, path + ".maxUnavailable", errors);
                    if (amount(maxUnavailable) == 0) {
                        errors.invalid(path + ".maxUnavailable", shown(maxUnavailable), "must be greater than 0");
                    }
                }
            }
            default -> errors.notSupported("spec.updateStrategy.type", type, List.of("RollingUpdate", "OnDelete"));
        }
    }

    /** The core ReplicationController's selector is a plain map and, unlike apps/v1 selectors, may change. */
    static void replicationController(ReplicationController controller, FieldErrors errors) {
        ReplicationControllerSpec spec = controller.getSpec() == null ? new ReplicationControllerSpec() : controller.getSpec();
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errors);
        Map<String, String> selector = NullSafe.map(spec.getSelector());
        if (selector.isEmpty()) {
            errors.required("spec.selector", "");
        }
        nonNegative(spec.getReplicas(), "spec.replicas", errors);
        PodTemplateSpec template = spec.getTemplate();
        if (template == null) {
            errors.required("spec.template", "");
            return;
        }
        MetadataValidation.validateLabels(selector, "spec.selector", errors);
        Map<String, String> labels = NullSafe.map(labels(template));
        if (!selector.isEmpty() && !selector.entrySet().stream().allMatch(entry ->
                NullSafe.string(entry.getValue()).equals(labels.get(entry.getKey())))) {
            selectorMismatch(template, errors);
        }
        template(template, "spec.template", errors);
        alwaysRestarts(template, errors);
        if (template.getSpec() != null && template.getSpec().getActiveDeadlineSeconds() != null) {
            errors.forbidden("spec.template.spec.activeDeadlineSeconds",
                    "activeDeadlineSeconds in ReplicationController is not Supported");
        }
    }

    /** The checks Deployments, ReplicaSets and StatefulSets share: a non-empty selector that matches a valid template. */
    private static void replicatedPods(LabelSelector selector, PodTemplateSpec given, String kind, FieldErrors errors) {
        PodTemplateSpec template = given == null ? new PodTemplateSpec() : given;
        if (selector == null) {
            errors.required("spec.selector", "");
            // A missing selector selects nothing, so it matches no template either.
            selectorMismatch(template, errors);
        } else {
            LabelSelectors.validate(selector, "spec.selector", errors);
            if (LabelSelectors.isEmpty(selector)) {
                errors.invalid("spec.selector", asJson(selector), "empty selector is invalid for " + kind);
            }
            Optional<io.qube.store.LabelSelector> parsed = LabelSelectors.toStoreSelector(selector);
            if (parsed.isEmpty()) {
                errors.invalid("spec.selector", asJson(selector), "invalid label selector");
            } else if (!parsed.get().isEverything() && !parsed.get().matches(NullSafe.map(labels(template)))) {
                selectorMismatch(template, errors);
            }
        }
        template(template, "spec.template", errors);
        alwaysRestarts(template, errors);
        if (template.getSpec() != null && template.getSpec().getActiveDeadlineSeconds() != null) {
            errors.invalid("spec.template.spec.activeDeadlineSeconds", template.getSpec().getActiveDeadlineSeconds(),
                    "must not be specified");
        }
    }

    /**
     * A pod template: its labels and annotations (reported on {@code <path>.labels}, as Kubernetes does) and its
     * spec. Ephemeral containers are for debugging one running pod, never a template.
     */
    static void template(PodTemplateSpec template, String path, FieldErrors errors) {
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        MetadataValidation.validateLabels(meta.getLabels(), path + ".labels", errors);
        MetadataValidation.validateAnnotations(meta.getAnnotations(), path + ".annotations", errors);
        PodSpec spec = template.getSpec() == null ? new PodSpec() : template.getSpec();
        PodSpecValidation.validate(spec, path + ".spec", false, errors);
        if (!NullSafe.list(spec.getEphemeralContainers()).isEmpty()) {
            errors.forbidden(path + ".spec.ephemeralContainers", "ephemeral containers not allowed in pod template");
        }
    }

    /** Controllers replace pods that end, so their pods must restart in place rather than finish. */
    private static void alwaysRestarts(PodTemplateSpec template, FieldErrors errors) {
        String policy = template.getSpec() == null ? null : template.getSpec().getRestartPolicy();
        if (!NullSafe.isEmpty(policy) && !policy.equals("Always")) {
            errors.notSupported("spec.template.spec.restartPolicy", policy, List.of("Always"));
        }
    }

    private static void strategy(DeploymentStrategy strategy, FieldErrors errors) {
        String type = NullSafe.string(strategy.getType());
        switch (type) {
            case "Recreate" -> {
                if (strategy.getRollingUpdate() != null) {
                    errors.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
                }
            }
            case "RollingUpdate" -> {
                if (strategy.getRollingUpdate() == null) {
                    errors.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil");
                    return;
                }
                String path = "spec.strategy.rollingUpdate";
                IntOrString maxUnavailable = strategy.getRollingUpdate().getMaxUnavailable();
                IntOrString maxSurge = strategy.getRollingUpdate().getMaxSurge();
                intOrPercent(maxUnavailable, path + ".maxUnavailable", errors);
                intOrPercent(maxSurge, path + ".maxSurge", errors);
                // With neither a pod gone early nor an extra one, a rollout could never make progress.
                if (amount(maxUnavailable) == 0 && amount(maxSurge) == 0) {
                    errors.invalid(path + ".maxUnavailable", shown(maxUnavailable), "may not be 0 when `maxSurge` is 0");
                }
                atMostAll(maxUnavailable, path + ".maxUnavailable", errors);
            }
            default -> errors.notSupported("spec.strategy", type, List.of("Recreate", "RollingUpdate"));
        }
    }

    private static void updateStrategy(DaemonSetUpdateStrategy strategy, FieldErrors errors) {
        String type = NullSafe.string(strategy.getType());
        switch (type) {
            case "OnDelete" -> { }
            case "RollingUpdate" -> {
                if (strategy.getRollingUpdate() == null) {
                    errors.required("spec.updateStrategy.rollingUpdate", "");
                    return;
                }
                String path = "spec.updateStrategy.rollingUpdate";
                IntOrString maxUnavailable = strategy.getRollingUpdate().getMaxUnavailable();
                IntOrString maxSurge = strategy.getRollingUpdate().getMaxSurge();
                intOrPercent(maxUnavailable, path + ".maxUnavailable", errors);
                intOrPercent(maxSurge, path + ".maxSurge", errors);
                atMostAll(maxUnavailable, path + ".maxUnavailable", errors);
                atMostAll(maxSurge, path + ".maxSurge", errors);
                // A node either gets its new pod next to the old one (surge) or after the old one went.
                boolean unavailable = amount(maxUnavailable) != 0;
                boolean surge = amount(maxSurge) != 0;
                if (unavailable && surge) {
                    errors.invalid(path + ".maxSurge", shown(maxSurge), "may not be set when maxUnavailable is non-zero");
                } else if (!unavailable && !surge) {
                    errors.required(path + ".maxUnavailable", "cannot be 0 when maxSurge is 0");
                }
            }
            default -> errors.notSupported("spec.updateStrategy", type, List.of("RollingUpdate", "OnDelete"));
        }
    }

    /** A count (≥ 0) or a percentage ("25%"). */
    static void intOrPercent(IntOrString value, String path, FieldErrors errors) {
        if (value == null) {
            return;
        }
        if (value.getStrVal() != null) {
            NameSyntax.percent(value.getStrVal()).forEach(problem -> errors.invalid(path, value.getStrVal(), problem));
        } else {
            nonNegative(value.getIntVal(), path, errors);
        }
    }

    static void atMostAll(IntOrString value, String path, FieldErrors errors) {
        if (value != null && value.getStrVal() != null && NameSyntax.percent(value.getStrVal()).isEmpty()
                && amount(value) > 100) {
            errors.invalid(path, value.getStrVal(), "must not be greater than 100%");
        }
    }

    /** The number in "25%" or 3; anything unparsable counts as 0, as in Kubernetes. */
    private static long amount(IntOrString value) {
        if (value == null) {
            return 0;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = NullSafe.string(value.getStrVal());
        String digits = text.endsWith("%") ? text.substring(0, text.length() - 1) : text;
        return digits.matches("[0-9]{1,18}") ? Long.parseLong(digits) : 0;
    }

    private static Object shown(IntOrString value) {
        if (value == null) {
            return null;
        }
        return value.getIntVal() != null ? value.getIntVal() : value.getStrVal();
    }

    private static void selectorUnchanged(LabelSelector selector, LabelSelector old, FieldErrors errors) {
        if (!asJson(selector).equals(asJson(old))) {
            errors.invalid("spec.selector", asJson(selector), "field is immutable");
        }
    }

    private static void selectorMismatch(PodTemplateSpec template, FieldErrors errors) {
        errors.invalid("spec.template.metadata.labels", asJson(NullSafe.map(labels(template))),
                "`selector` does not match template `labels`");
    }

    private static Map<String, String> labels(PodTemplateSpec template) {
        return template.getMetadata() == null ? null : template.getMetadata().getLabels();
    }

    static void nonNegative(Integer value, String path, FieldErrors errors) {
        if (value != null && value < 0) {
            errors.invalid(path, value, "must be greater than or equal to 0");
        }
    }

    /** How a selector or label map is shown in a message (and compared: JSON treats absent and empty alike). */
    static JsonNode asJson(Object value) {
        return Json.MAPPER.valueToTree(value);
    }
}
