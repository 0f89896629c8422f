package io.qube.controller.statefulset;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.qube.controller.ActivePods;
import io.qube.controller.ControllerRefs;
import io.qube.controller.history.TemplateRevisions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A StatefulSet's pods as Kubernetes' stateful_set_utils makes and reads them: the name {@code <set>-<ordinal>},
 * the same hostname, the governing Service as subdomain, identity labels, one volume per claim template pointing
 * at that ordinal's claim, and the name of the revision it was made from in its controller-revision-hash label.
 */
final class StatefulPods {

    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

    private static final Pattern NAME = Pattern.compile("(.*)-([0-9]+)$");

    private StatefulPods() {
    }

    static String name(StatefulSet set, int ordinal) {
        return set.getMetadata().getName() + "-" + ordinal;
    }

    /** spec.ordinals.start: the first ordinal, 0 unless set. */
    static int start(StatefulSet set) {
        return set.getSpec().getOrdinals() == null || set.getSpec().getOrdinals().getStart() == null ? 0
                : set.getSpec().getOrdinals().getStart();
    }

    static int replicas(StatefulSet set) {
        return set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    }

    /** The pod's ordinal if its name is the set's name and a number, else -1 (Kubernetes' getParentNameAndOrdinal). */
    static int ordinal(StatefulSet set, Pod pod) {
        Matcher matcher = NAME.matcher(pod.getMetadata().getName());
        if (!matcher.matches() || !matcher.group(1).equals(set.getMetadata().getName())) {
            return -1;
        }
        try {
            return Integer.parseInt(matcher.group(2));
        } catch (NumberFormatException tooLong) {
            return -1;
        }
    }

    /** Whether the ordinal is one of spec.replicas from spec.ordinals.start. */
    static boolean inRange(StatefulSet set, int ordinal) {
        return ordinal >= start(set) && ordinal < start(set) + replicas(set);
    }

    /** The name of the revision the pod was made from. */
    static String revision(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null
                : pod.getMetadata().getLabels().get(TemplateRevisions.HASH_LABEL);
    }

    /** The pod for an ordinal, made from the template of the named revision (Kubernetes' newStatefulSetPod). */
    static Pod newPod(StatefulSet set, PodTemplateSpec template, int ordinal, String revision) {
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> labels = new HashMap<>(meta.getLabels() == null ? Map.of() : meta.getLabels());
        labels.put(TemplateRevisions.HASH_LABEL, revision);
        Pod pod = new PodBuilder().withNewMetadata().withName(name(set, ordinal))
                .withNamespace(set.getMetadata().getNamespace()).withLabels(labels)
                .withAnnotations(meta.getAnnotations()).withFinalizers(meta.getFinalizers())
                .withOwnerReferences(ControllerRefs.controllerRef(set)).endMetadata()
                .withSpec(template.getSpec()).build();
        return withIdentityAndStorage(set, pod);
    }

    /** Kubernetes' identityMatches: name, hostname, subdomain and identity labels are the set's for the ordinal. */
    static boolean identityMatches(StatefulSet set, Pod pod) {
        int ordinal = ordinal(set, pod);
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return ordinal >= 0 && Objects.equals(pod.getSpec().getHostname(), pod.getMetadata().getName())
                && Objects.equals(emptyToNull(pod.getSpec().getSubdomain()),
                        emptyToNull(set.getSpec().getServiceName()))
                && pod.getMetadata().getName().equals(labels.get(POD_NAME_LABEL))
                && Integer.toString(ordinal).equals(labels.get(POD_INDEX_LABEL));
    }

    /** Kubernetes' storageMatches: every claim template has a volume of its name pointing at this ordinal's claim. */
    static boolean storageMatches(StatefulSet set, Pod pod) {
        int ordinal = ordinal(set, pod);
        if (ordinal < 0) {
            return false;
        }
        Map<String, Volume> volumes = new HashMap<>();
        if (pod.getSpec().getVolumes() != null) {
            pod.getSpec().getVolumes().forEach(volume -> volumes.put(volume.getName(), volume));
        }
        for (PersistentVolumeClaim template : StatefulClaims.templates(set)) {
            Volume volume = volumes.get(template.getMetadata().getName());
            if (volume == null || volume.getPersistentVolumeClaim() == null || !StatefulClaims.name(template, set,
                    ordinal).equals(volume.getPersistentVolumeClaim().getClaimName())) {
                return false;
            }
        }
        return true;
    }

    /**
     * A copy with the ordinal's identity (Kubernetes' updateIdentity) and its claims' volumes, which replace
     * template volumes of the same name (updateStorage).
     */
    static Pod withIdentityAndStorage(StatefulSet set, Pod pod) {
        Pod copy = new PodBuilder(pod).build();
        int ordinal = ordinal(set, copy);
        Map<String, String> labels = new HashMap<>(copy.getMetadata().getLabels() == null ? Map.of()
                : copy.getMetadata().getLabels());
        labels.put(POD_NAME_LABEL, copy.getMetadata().getName());
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
        copy.getMetadata().setLabels(labels);
        copy.getSpec().setHostname(copy.getMetadata().getName());
        copy.getSpec().setSubdomain(emptyToNull(set.getSpec().getServiceName()));
        List<PersistentVolumeClaim> templates = StatefulClaims.templates(set);
        if (templates.isEmpty()) {
            return copy;
        }
        List<Volume> volumes = new ArrayList<>();
        for (PersistentVolumeClaim template : templates) {
            volumes.add(new VolumeBuilder().withName(template.getMetadata().getName()).withNewPersistentVolumeClaim()
                    .withClaimName(StatefulClaims.name(template, set, ordinal)).endPersistentVolumeClaim().build());
        }
        if (copy.getSpec().getVolumes() != null) {
            for (Volume volume : copy.getSpec().getVolumes()) {
                if (volumes.stream().noneMatch(claimed -> claimed.getName().equals(volume.getName()))) {
                    volumes.add(volume);
                }
            }
        }
        copy.getSpec().setVolumes(volumes);
        return copy;
    }

    /** Created: the API has given it a phase. */
    static boolean created(Pod pod) {
        return phase(pod) != null && !phase(pod).isEmpty();
    }

    static boolean pending(Pod pod) {
        return "Pending".equals(phase(pod));
    }

    static boolean failed(Pod pod) {
        return "Failed".equals(phase(pod));
    }

    static boolean succeeded(Pod pod) {
        return "Succeeded".equals(phase(pod));
    }

    static boolean terminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    static boolean runningAndReady(Pod pod) {
        return "Running".equals(phase(pod)) && ActivePods.isReady(pod);
    }

    /** Running and ready for minReadySeconds (Kubernetes' isRunningAndAvailable). */
    static boolean available(Pod pod, int minReadySeconds, Instant now) {
        return "Running".equals(phase(pod)) && ActivePods.isAvailable(pod, minReadySeconds, now);
    }

    /** Kubernetes' isHealthy: running, ready and not being deleted. */
    static boolean healthy(Pod pod) {
        return runningAndReady(pod) && !terminating(pod);
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
