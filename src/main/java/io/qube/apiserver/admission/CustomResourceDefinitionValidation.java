package io.qube.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourceScale;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.crd.JsonPaths;
import io.qube.apiserver.crd.StructuralSchema;
import io.qube.apiserver.registry.FieldErrors;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Kubernetes' validation of a CustomResourceDefinition (apiextensions' ValidateCustomResourceDefinition): the name is
 * {@code <plural>.<group>}, names are DNS-1035 labels, exactly one storage version and at least one served, every
 * version has a structural schema, scale paths are simple JSON paths under spec and status, printer columns are
 * complete; group, plural and scope are fixed once made; a CRD in a group the Kubernetes community owns
 * ({@code k8s.io}, {@code kubernetes.io} and their subdomains) carries the API-approval annotation.
 */
final class CustomResourceDefinitionValidation {

    private static final List<String> SCOPES = List.of("Cluster", "Namespaced");
    private static final List<String> STRATEGIES = List.of("None", "Webhook");
    private static final List<String> COLUMN_TYPES = List.of("integer", "number", "string", "boolean", "date");
    private static final String API_APPROVED = "api-approved.kubernetes.io";
    private static final String APPROVAL_PROPOSAL = "see https://github.com/kubernetes/enhancements/pull/1111";

    private CustomResourceDefinitionValidation() {
    }

    static void customResourceDefinition(CustomResourceDefinition crd, CustomResourceDefinition old,
                                         FieldErrors errors) {
        CustomResourceDefinitionSpec spec = crd.getSpec() == null ? new CustomResourceDefinitionSpec() : crd.getSpec();
        CustomResourceDefinitionNames names = spec.getNames() == null ? new CustomResourceDefinitionNames()
                : spec.getNames();
        String name = crd.getMetadata().getName();
        if (!Objects.equals(name, names.getPlural() + "." + spec.getGroup())) {
            errors.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group");
        }
        group(spec.getGroup(), errors);
        apiApproval(spec.getGroup(), crd, old, errors);
        names(names, errors);
        if (empty(spec.getScope())) {
            errors.required("spec.scope", "");
        } else if (!SCOPES.contains(spec.getScope())) {
            errors.notSupported("spec.scope", spec.getScope(), SCOPES);
        }
        versions(spec.getVersions(), errors);
        if (spec.getConversion() != null && !STRATEGIES.contains(spec.getConversion().getStrategy())) {
            errors.notSupported("spec.conversion.strategy", spec.getConversion().getStrategy(), STRATEGIES);
        } else if (spec.getConversion() != null && "Webhook".equals(spec.getConversion().getStrategy())
                && spec.getConversion().getWebhook() == null) {
            errors.required("spec.conversion.webhook", "required when strategy is set to Webhook");
        }
        if (old != null && old.getSpec() != null) {
            immutable("spec.group", spec.getGroup(), old.getSpec().getGroup(), errors);
            immutable("spec.names.plural", names.getPlural(),
                    old.getSpec().getNames() == null ? null : old.getSpec().getNames().getPlural(), errors);
            immutable("spec.scope", spec.getScope(), old.getSpec().getScope(), errors);
        }
    }

    private static void group(String group, FieldErrors errors) {
        if (empty(group)) {
            errors.required("spec.group", "");
            return;
        }
        List<String> problems = NameSyntax.dns1123Subdomain(group);
        if (!problems.isEmpty()) {
            errors.invalid("spec.group", group, String.join(",", problems));
        } else if (group.split("\\.").length < 2) {
            errors.invalid("spec.group", group, "should be a domain with at least one dot");
        }
    }

    /**
     * A protected group's CRD names the approved API change (a URL) or says it is unapproved ("unapproved..."). As in
     * Kubernetes, an update that leaves the annotation's state as it was passes, so that a controller updating an
     * older CRD's spec is not refused.
     */
    private static void apiApproval(String group, CustomResourceDefinition crd, CustomResourceDefinition old,
                                    FieldErrors errors) {
        if (group == null || !(group.equals("k8s.io") || group.endsWith(".k8s.io") || group.equals("kubernetes.io")
                || group.endsWith(".kubernetes.io"))) {
            return;
        }
        String approval = annotation(crd, API_APPROVED);
        if (old != null && Objects.equals(approvalState(annotation(old, API_APPROVED)), approvalState(approval))) {
            return;
        }
        String field = "metadata.annotations[" + API_APPROVED + "]";
        switch (approvalState(approval)) {
            case MISSING -> errors.required(field, "protected groups must have approval annotation \""
                    + API_APPROVED + "\", " + APPROVAL_PROPOSAL);
            case INVALID -> errors.invalid(field, approval, "protected groups must have approval annotation \""
                    + API_APPROVED + "\" with either a URL or a reason starting with \"unapproved\", "
                    + APPROVAL_PROPOSAL);
            default -> {
            }
        }
    }

    private enum ApprovalState { MISSING, INVALID, APPROVED, BYPASSED }

    private static ApprovalState approvalState(String approval) {
        if (approval == null) {
            return ApprovalState.MISSING;
        }
        if (approval.startsWith("unapproved")) {
            return ApprovalState.BYPASSED;
        }
        try {
            // An absolute URL, as Go's url.ParseRequestURI takes it.
            return java.net.URI.create(approval).isAbsolute() ? ApprovalState.APPROVED : ApprovalState.INVALID;
        } catch (IllegalArgumentException e) {
            return ApprovalState.INVALID;
        }
    }

    private static String annotation(CustomResourceDefinition crd, String key) {
        return crd.getMetadata() == null || crd.getMetadata().getAnnotations() == null ? null
                : crd.getMetadata().getAnnotations().get(key);
    }

    private static void names(CustomResourceDefinitionNames names, FieldErrors errors) {
        label("spec.names.plural", names.getPlural(), true, false, errors);
        label("spec.names.singular", names.getSingular(), true, false, errors);
        label("spec.names.kind", names.getKind(), true, true, errors);
        label("spec.names.listKind", names.getListKind(), true, true, errors);
        if (!empty(names.getKind()) && names.getKind().equals(names.getListKind())) {
            errors.invalid("spec.names.listKind", names.getListKind(), "kind and listKind may not be the same");
        }
        List<String> shortNames = names.getShortNames();
        for (int i = 0; i < shortNames.size(); i++) {
            label("spec.names.shortNames[" + i + "]", shortNames.get(i), false, false, errors);
        }
        List<String> categories = names.getCategories();
        for (int i = 0; i < categories.size(); i++) {
            label("spec.names.categories[" + i + "]", categories.get(i), false, false, errors);
        }
    }

    /** A DNS-1035 label; kinds may have mixed case but must otherwise be one. */
    private static void label(String field, String value, boolean required, boolean mixedCase, FieldErrors errors) {
        if (empty(value)) {
            if (required) {
                errors.required(field, "");
            }
            return;
        }
        List<String> problems = NameSyntax.dns1035Label(mixedCase ? value.toLowerCase(Locale.ROOT) : value);
        if (!problems.isEmpty()) {
            errors.invalid(field, value, (mixedCase ? "may have mixed case, but should otherwise match: " : "")
                    + String.join(",", problems));
        }
    }

    private static void versions(List<CustomResourceDefinitionVersion> versions, FieldErrors errors) {
        if (versions.isEmpty()) {
            errors.required("spec.versions", "must have exactly one version marked as storage version");
            return;
        }
        long storage = versions.stream().filter(v -> Boolean.TRUE.equals(v.getStorage())).count();
        List<String> versionNames = versions.stream().map(CustomResourceDefinitionVersion::getName).toList();
        if (storage != 1) {
            errors.invalid("spec.versions", versionNames, "must have exactly one version marked as storage version");
        }
        if (versions.stream().noneMatch(v -> Boolean.TRUE.equals(v.getServed()))) {
            errors.invalid("spec.versions", versionNames, "must have at least one version marked as served");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < versions.size(); i++) {
            CustomResourceDefinitionVersion version = versions.get(i);
            String path = "spec.versions[" + i + "]";
            label(path + ".name", version.getName(), true, false, errors);
            if (!empty(version.getName()) && !seen.add(version.getName())) {
                errors.duplicate(path + ".name", version.getName());
            }
            if (version.getSchema() == null || version.getSchema().getOpenAPIV3Schema() == null) {
                errors.required(path + ".schema.openAPIV3Schema", "schemas are required");
            } else {
                JsonNode schema = Json.MAPPER.valueToTree(version.getSchema().getOpenAPIV3Schema());
                StructuralSchema.check(schema, path + ".schema.openAPIV3Schema", errors);
            }
            if (version.getSubresources() != null && version.getSubresources().getScale() != null) {
                scale(version.getSubresources().getScale(), path + ".subresources.scale", errors);
            }
            List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
            for (int c = 0; c < columns.size(); c++) {
                column(columns.get(c), path + ".additionalPrinterColumns[" + c + "]", errors);
            }
        }
    }

    private static void scale(CustomResourceSubresourceScale scale, String path, FieldErrors errors) {
        simplePath(path + ".specReplicasPath", scale.getSpecReplicasPath(), ".spec.", true, errors);
        simplePath(path + ".statusReplicasPath", scale.getStatusReplicasPath(), ".status.", true, errors);
        simplePath(path + ".labelSelectorPath", scale.getLabelSelectorPath(), null, false, errors);
    }

    private static void simplePath(String field, String value, String under, boolean required, FieldErrors errors) {
        if (empty(value)) {
            if (required) {
                errors.required(field, "");
            }
            return;
        }
        if (!JsonPaths.isSimple(value)) {
            errors.invalid(field, value, "must be a simple json path starting with .");
        } else if (under != null && !value.startsWith(under)) {
            errors.invalid(field, value, "should be a json path under " + under.substring(0, under.length() - 1));
        } else if (under == null && !value.startsWith(".spec.") && !value.startsWith(".status.")) {
            errors.invalid(field, value, "should be a json path under either .spec or .status");
        }
    }

    private static void column(CustomResourceColumnDefinition column, String path, FieldErrors errors) {
        if (empty(column.getName())) {
            errors.required(path + ".name", "");
        }
        if (empty(column.getType())) {
            errors.required(path + ".type", "");
        } else if (!COLUMN_TYPES.contains(column.getType())) {
            errors.notSupported(path + ".type", column.getType(), COLUMN_TYPES);
        }
        if (empty(column.getJsonPath())) {
            errors.required(path + ".jsonPath", "");
        }
    }

    private static void immutable(String field, String value, String old, FieldErrors errors) {
        if (!Objects.equals(value, old)) {
            errors.immutable(field);
        }
    }

    private static boolean empty(String value) {
        return value == null || value.isEmpty();
    }
}
