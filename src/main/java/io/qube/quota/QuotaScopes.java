package io.qube.quota;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.ResourceQuotaSpec;
import io.fabric8.kubernetes.api.model.ScopedResourceSelectorRequirement;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which objects a quota with scopes counts, as Kubernetes' pod evaluator matches them: only pods, and only those
 * every scope and every scopeSelector requirement selects. Terminating: an activeDeadlineSeconds is set;
 * BestEffort: the pod's QoS class; PriorityClass: its priorityClassName against the requirement's operator and
 * values; CrossNamespacePodAffinity: an affinity term naming namespaces or a namespace selector.
 */
public final class QuotaScopes {

    private QuotaScopes() {
    }

    /** Whether the quota counts only the objects its scopes select. */
    public static boolean scoped(ResourceQuotaSpec spec) {
        return spec != null && (!nonNull(spec.getScopes()).isEmpty() || spec.getScopeSelector() != null);
    }

    /** Whether the quota counts the object: always when it has no scopes. */
    public static boolean selects(ResourceQuotaSpec spec, HasMetadata object) {
        if (!scoped(spec)) {
            return true;
        }
        if (!(object instanceof Pod pod)) {
            return false;
        }
        List<ScopedResourceSelectorRequirement> requirements = new ArrayList<>();
        for (String scope : nonNull(spec.getScopes())) {
            requirements.add(new ScopedResourceSelectorRequirement("Exists", scope, List.of()));
        }
        if (spec.getScopeSelector() != null) {
            requirements.addAll(nonNull(spec.getScopeSelector().getMatchExpressions()));
        }
        return requirements.stream().allMatch(requirement -> selects(requirement, pod));
    }

    private static boolean selects(ScopedResourceSelectorRequirement requirement, Pod pod) {
        return switch (requirement.getScopeName()) {
            case "Terminating" -> terminating(pod);
            case "NotTerminating" -> !terminating(pod);
            case "BestEffort" -> bestEffort(pod);
            case "NotBestEffort" -> !bestEffort(pod);
            case "PriorityClass" -> priorityClass(requirement, pod);
            case "CrossNamespacePodAffinity" -> crossNamespaceAffinity(pod);
            default -> false;
        };
    }

    private static boolean terminating(Pod pod) {
        Long deadline = pod.getSpec() == null ? null : pod.getSpec().getActiveDeadlineSeconds();
        return deadline != null && deadline >= 0;
    }

    /** As the apiserver worked the class out when the pod was created. */
    private static boolean bestEffort(Pod pod) {
        return pod.getStatus() != null && "BestEffort".equals(pod.getStatus().getQosClass());
    }

    /** The requirement as a label selector over one label, the pod's class name, absent when it has none. */
    private static boolean priorityClass(ScopedResourceSelectorRequirement requirement, Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getPriorityClassName();
        boolean has = name != null && !name.isEmpty();
        List<String> values = nonNull(requirement.getValues());
        return switch (requirement.getOperator()) {
            case "In" -> has && values.contains(name);
            case "NotIn" -> !has || !values.contains(name);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            default -> false;
        };
    }

    private static boolean crossNamespaceAffinity(Pod pod) {
        Affinity affinity = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
        if (affinity == null) {
            return false;
        }
        Stream<PodAffinityTerm> terms = Stream.empty();
        if (affinity.getPodAffinity() != null) {
            terms = Stream.concat(terms, terms(
                    affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(),
                    affinity.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()));
        }
        if (affinity.getPodAntiAffinity() != null) {
            terms = Stream.concat(terms, terms(
                    affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution(),
                    affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()));
        }
        return terms.anyMatch(term -> !nonNull(term.getNamespaces()).isEmpty() || term.getNamespaceSelector() != null);
    }

    private static Stream<PodAffinityTerm> terms(List<PodAffinityTerm> required,
                                                 List<WeightedPodAffinityTerm> preferred) {
        return Stream.concat(nonNull(required).stream(),
                nonNull(preferred).stream().map(WeightedPodAffinityTerm::getPodAffinityTerm));
    }

    private static <T> List<T> nonNull(List<T> items) {
        return items == null ? List.of() : items;
    }
}
