package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.qube.apiserver.registry.FieldErrors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A CRD's defaults and Kubernetes' validation of it, with Kubernetes' field paths and messages. */
class CustomResourceDefinitionAdmissionTest {

    private static final String VALID = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.example.com}
            spec:
              group: example.com
              scope: Namespaced
              names: {plural: widgets, kind: Widget}
              versions:
              - name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        properties:
                          replicas: {type: integer}
            """;

    @Test
    void defaultsNamesConversionStoredVersionAndTheCleanupFinalizer() {
        CustomResourceDefinition crd = Admission.defaulted(VALID, CustomResourceDefinition.class);
        assertThat(crd.getSpec().getNames().getSingular()).isEqualTo("widget");
        assertThat(crd.getSpec().getNames().getListKind()).isEqualTo("WidgetList");
        assertThat(crd.getSpec().getConversion().getStrategy()).isEqualTo("None");
        assertThat(crd.getStatus().getStoredVersions()).containsExactly("v1");
        assertThat(crd.getMetadata().getFinalizers()).containsExactly("customresourcecleanup.apiextensions.k8s.io");
        assertThat(Admission.create(crd)).isEmpty();
    }

    @Test
    void theNameMustBePluralDotGroupAndTheGroupADomain() {
        assertThat(messages(VALID.replace("name: widgets.example.com", "name: widgets.example.org")
                .replace("group: example.com", "group: example")))
                .contains("metadata.name: Invalid value: \"widgets.example.org\": must be spec.names.plural+\".\"+spec.group",
                        "spec.group: Invalid value: \"example\": should be a domain with at least one dot");
    }

    @Test
    void namesScopeAndVersionsAreChecked() {
        assertThat(messages(VALID.replace("scope: Namespaced", "scope: Global")
                .replace("kind: Widget}", "kind: Widget, listKind: Widget, shortNames: [W]}")
                .replace("storage: true", "storage: false")))
                .contains("spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"",
                        "spec.names.listKind: Invalid value: \"Widget\": kind and listKind may not be the same",
                        "spec.versions: Invalid value: [v1]: must have exactly one version marked as storage version")
                .anyMatch(m -> m.startsWith("spec.names.shortNames[0]: Invalid value: \"W\": a DNS-1035 label"));
    }

    @Test
    void theSchemaMustBeStructural() {
        String indent = "\n              ";
        assertThat(messages(VALID.replace("replicas: {type: integer}", "replicas: {}" + indent
                + "labels: {type: object, properties: {a: {type: string}}, additionalProperties: {type: string}}"
                + indent + "items: {type: array}"))).contains(
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].type: Required value: "
                        + "must not be empty for specified object fields",
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[labels].additionalProperties: "
                        + "Forbidden: additionalProperties and properties are mutual exclusive",
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[items].items: Required value: "
                        + "must be specified");
        assertThat(messages(VALID.replaceAll("(?s)\\n\\s+schema:.*", "\n")))
                .contains("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required");
    }

    @Test
    void groupPluralAndScopeAreFixed() {
        CustomResourceDefinition old = Admission.defaulted(VALID, CustomResourceDefinition.class);
        CustomResourceDefinition changed = Admission.read(VALID.replace("scope: Namespaced", "scope: Cluster"),
                CustomResourceDefinition.class);
        assertThat(Admission.update(changed, old).stream().map(c -> c.field() + ": " + c.message()))
                .contains("spec.scope: Invalid value: field is immutable");
    }

    @Test
    void aCommunityGroupNeedsTheApiApprovalAnnotation() {
        String community = VALID.replace("widgets.example.com", "widgets.example.k8s.io")
                .replace("group: example.com", "group: example.k8s.io");
        assertThat(messages(community)).contains("metadata.annotations[api-approved.kubernetes.io]: Required value: "
                + "protected groups must have approval annotation \"api-approved.kubernetes.io\", "
                + "see https://github.com/kubernetes/enhancements/pull/1111");
        String annotated = community.replace("metadata: {name: widgets.example.k8s.io}",
                "metadata: {name: widgets.example.k8s.io, annotations: {api-approved.kubernetes.io: '%s'}}");
        assertThat(messages(annotated.formatted("soon"))).contains("metadata.annotations[api-approved.kubernetes.io]: "
                + "Invalid value: \"soon\": protected groups must have approval annotation \"api-approved.kubernetes.io\" "
                + "with either a URL or a reason starting with \"unapproved\", "
                + "see https://github.com/kubernetes/enhancements/pull/1111");
        assertThat(messages(annotated.formatted("https://github.com/kubernetes/enhancements/pull/1111"))).isEmpty();
        assertThat(messages(annotated.formatted("unapproved, experimental"))).isEmpty();
        // Only k8s.io, kubernetes.io and their subdomains are protected: not x-k8s.io (Cluster API's groups).
        assertThat(messages(VALID.replace("widgets.example.com", "widgets.cluster.x-k8s.io")
                .replace("group: example.com", "group: cluster.x-k8s.io"))).isEmpty();

        // An update keeping an old CRD's missing annotation missing is let through; one making it invalid is not.
        CustomResourceDefinition old = Admission.defaulted(community, CustomResourceDefinition.class);
        CustomResourceDefinition changed = Admission.read(community.replace("replicas: {type: integer}",
                "replicas: {type: integer}\n              size: {type: string}"),
                CustomResourceDefinition.class);
        assertThat(Admission.update(changed, old)).isEmpty();
        assertThat(Admission.update(Admission.read(annotated.formatted("soon"), CustomResourceDefinition.class), old))
                .extracting(FieldErrors.Cause::field).contains("metadata.annotations[api-approved.kubernetes.io]");
    }

    private static List<String> messages(String yaml) {
        List<FieldErrors.Cause> causes = Admission.create(Admission.read(yaml, CustomResourceDefinition.class));
        return causes.stream().map(c -> c.field() + ": " + c.message()).toList();
    }
}
