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

    private static List<String> messages(String yaml) {
        List<FieldErrors.Cause> causes = Admission.create(Admission.read(yaml, CustomResourceDefinition.class));
        return causes.stream().map(c -> c.field() + ": " + c.message()).toList();
    }
}
