package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.qube.apiserver.registry.BuiltinResources;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.FieldErrors.Cause;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.apiserver.registry.ResourceRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** The metadata rules every kind shares, with Kubernetes' field paths, reasons and wording. */
class MetadataValidationTest {

    private static final ResourceRegistry REGISTRY = BuiltinResources.registry();
    private static final ResourceDefinition<?> PODS = REGISTRY.find("", "v1", "pods").orElseThrow();
    private static final ResourceDefinition<?> SERVICES = REGISTRY.find("", "v1", "services").orElseThrow();
    private static final ResourceDefinition<?> NAMESPACES = REGISTRY.find("", "v1", "namespaces").orElseThrow();

    private static final String SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
            + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    @Test
    void anInvalidNameIsReportedInKubernetesWords() {
        assertThat(validate(meta("Web_1", "default"), PODS)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"Web_1\": " + SUBDOMAIN_RULE, "metadata.name"));
    }

    @Test
    void eachKindUsesItsNameRule() {
        // A service name becomes a DNS label of its own, so it must start with a letter.
        assertThat(validate(meta("1web", "default"), SERVICES)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                        + "start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  "
                        + "or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')", "metadata.name"));
        assertThat(validate(meta("1web", "default"), PODS)).isEmpty();
        assertThat(validate(meta("a".repeat(64), null), NAMESPACES)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"" + "a".repeat(64) + "\": must be no more than 63 characters", "metadata.name"));
        assertThat(validate(meta("a".repeat(64), "default"), PODS)).isEmpty();
        assertThat(validate(meta("a." + "b".repeat(252), "default"), PODS))
                .extracting(Cause::message).containsExactly("Invalid value: \"a." + "b".repeat(252)
                        + "\": must be no more than 253 characters");
    }

    @Test
    void aGenerateNameMayEndWithADashButMustOtherwiseBeAValidName() {
        ObjectMeta good = new ObjectMetaBuilder().withGenerateName("web-").withName("web-x7k2p").withNamespace("default").build();
        ObjectMeta bad = new ObjectMetaBuilder().withGenerateName("Web-").withName("Web-x7k2p").withNamespace("default").build();

        assertThat(validate(good, PODS)).isEmpty();
        assertThat(reasonsAndFields(validate(bad, PODS)))
                .containsExactly("FieldValueInvalid metadata.generateName", "FieldValueInvalid metadata.name");
    }

    @Test
    void aMissingNameOrNamespaceIsRequiredAndClusterScopedKindsHaveNoNamespace() {
        assertThat(validate(meta(null, null), PODS)).containsExactly(
                new Cause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name"),
                new Cause("FieldValueRequired", "Required value", "metadata.namespace"));
        assertThat(validate(meta("team-a", "default"), NAMESPACES)).containsExactly(
                new Cause("FieldValueForbidden", "Forbidden: not allowed on this type", "metadata.namespace"));
        assertThat(reasonsAndFields(validate(meta("web", "Default"), PODS)))
                .containsExactly("FieldValueInvalid metadata.namespace");
    }

    @Test
    void labelKeysAndValuesFollowKubernetesSyntax() {
        ObjectMeta meta = meta("web", "default");
        meta.setLabels(Map.of("-app", "web"));
        assertThat(validate(meta, PODS)).containsExactly(new Cause("FieldValueInvalid", "Invalid value: \"-app\": "
                + "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')", "metadata.labels"));

        meta.setLabels(Map.of("app", "web server"));
        assertThat(validate(meta, PODS)).containsExactly(new Cause("FieldValueInvalid", "Invalid value: \"web server\": "
                + "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
                + "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                + "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')", "metadata.labels"));

        meta.setLabels(Map.of("Example.com/app", "web"));
        assertThat(validate(meta, PODS)).extracting(Cause::message)
                .containsExactly("Invalid value: \"Example.com/app\": prefix part " + SUBDOMAIN_RULE);

        meta.setLabels(Map.of("example.com/app", "", "app.kubernetes.io/name", "web"));
        assertThat(validate(meta, PODS)).isEmpty();
    }

    @Test
    void annotationKeysAreQualifiedNamesInAnyCaseAndAllTogetherAtMost256KiB() {
        ObjectMeta meta = meta("web", "default");
        meta.setAnnotations(Map.of("Example.com/Note", "any value at all: spaces, {json}, ..."));
        assertThat(validate(meta, PODS)).isEmpty();

        meta.setAnnotations(Map.of("bad key", "x"));
        assertThat(reasonsAndFields(validate(meta, PODS))).containsExactly("FieldValueInvalid metadata.annotations");

        meta.setAnnotations(Map.of("a", "x".repeat(128 * 1024), "b", "y".repeat(128 * 1024)));
        assertThat(validate(meta, PODS)).containsExactly(new Cause("FieldValueTooLong",
                "Too long: must have at most 262144 bytes", "metadata.annotations"));
    }

    @Test
    void ownerReferencesNeedApiVersionKindNameAndUidAndOneController() {
        ObjectMeta meta = meta("web-x7k2p", "default");
        meta.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("web").build()));
        assertThat(validate(meta, PODS)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"\": uid must not be empty", "metadata.ownerReferences.uid"));

        // (fabric8's builder fills in apiVersion and kind on its own.)
        meta.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("").withKind("").build()));
        assertThat(reasonsAndFields(validate(meta, PODS))).containsExactly(
                "FieldValueInvalid metadata.ownerReferences.apiVersion", "FieldValueInvalid metadata.ownerReferences.kind",
                "FieldValueInvalid metadata.ownerReferences.name", "FieldValueInvalid metadata.ownerReferences.uid");

        meta.setOwnerReferences(List.of(
                new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName("a")
                        .withUid("u1").withController(true).build(),
                new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName("b")
                        .withUid("u2").withController(true).build()));
        assertThat(validate(meta, PODS)).extracting(Cause::message).containsExactly("Invalid value: "
                + "\"ReplicaSet/b\": Only one reference can have Controller set to true. Found \"true\" in references "
                + "for ReplicaSet/a and ReplicaSet/b");
    }

    @Test
    void finalizersAreStandardOrQualified() {
        ObjectMeta meta = meta("web", "default");
        meta.setFinalizers(List.of("kubernetes", "example.com/cleanup", "cleanup", "example.com/a/b"));

        List<Cause> causes = validate(meta, PODS);

        // Kubernetes reports the syntax without an index, the bare-name rule with one.
        assertThat(reasonsAndFields(causes)).containsExactly("FieldValueInvalid metadata.finalizers[2]",
                "FieldValueInvalid metadata.finalizers");
        assertThat(causes.get(0).message())
                .isEqualTo("Invalid value: \"cleanup\": name is neither a standard finalizer name nor is it fully qualified");
    }

    @Test
    void anUpdateMayNotChangeIdentityOrTimestamps() {
        ObjectMeta old = new ObjectMetaBuilder().withName("web").withNamespace("default").withUid("u-1")
                .withCreationTimestamp("2025-01-01T00:00:00Z").withResourceVersion("7").build();
        ObjectMeta renamed = new ObjectMetaBuilder(old).withName("web2").withUid("u-2")
                .withCreationTimestamp("2025-02-02T00:00:00Z").build();

        assertThat(updateErrors(renamed, old)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"web2\": field is immutable", "metadata.name"),
                new Cause("FieldValueInvalid", "Invalid value: \"u-2\": field is immutable", "metadata.uid"),
                new Cause("FieldValueInvalid", "Invalid value: \"2025-02-02T00:00:00Z\": field is immutable",
                        "metadata.creationTimestamp"));
    }

    @Test
    void anUpdateWithoutUidOrCreationTimestampKeepsTheStoredOnes() {
        ObjectMeta old = new ObjectMetaBuilder().withName("web").withNamespace("default").withUid("u-1")
                .withCreationTimestamp("2025-01-01T00:00:00Z").build();

        assertThat(updateErrors(meta("web", "default"), old)).isEmpty();
    }

    @Test
    void anUpdateCannotStartOrMoveADeletion() {
        ObjectMeta live = meta("web", "default");
        ObjectMeta deleting = new ObjectMetaBuilder(live).withDeletionTimestamp("2025-01-01T00:00:00Z").build();

        assertThat(updateErrors(deleting, live)).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"2025-01-01T00:00:00Z\": field is immutable", "metadata.deletionTimestamp"));
        assertThat(updateErrors(live, deleting)).as("absent means the stored one").isEmpty();
    }

    @Test
    void noFinalizerMayBeAddedOnceDeletionStarted() {
        ObjectMeta old = new ObjectMetaBuilder().withName("web").withNamespace("default")
                .withDeletionTimestamp("2025-01-01T00:00:00Z").withFinalizers("example.com/a").build();
        ObjectMeta updated = new ObjectMetaBuilder(old).withFinalizers("example.com/a", "example.com/b").build();

        assertThat(updateErrors(updated, old)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers "
                        + "[example.com/b]", "metadata.finalizers"));
        assertThat(updateErrors(new ObjectMetaBuilder(old).withFinalizers().build(), old)).isEmpty();
    }

    @Test
    void theRestLayerGetsTheSameAnswerThroughAnyKind() {
        Pod pod = Admission.read(namespaced(Pod.class, "Bad_Name", """
                spec: {containers: [{name: c, image: nginx}]}
                """), Pod.class);
        ConfigMap configMap = Admission.read("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ok, namespace: default, labels: {"a b": c}}
                """, ConfigMap.class);
        Namespace namespace = Admission.read("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: Team}
                """, Namespace.class);
        Service service = Admission.read(namespaced(Service.class, "web.v2", """
                spec: {selector: {app: web}, ports: [{port: 80}]}
                """), Service.class);

        assertThat(reasonsAndFields(Admission.create(pod))).containsExactly("FieldValueInvalid metadata.name");
        assertThat(reasonsAndFields(Admission.create(configMap))).containsExactly("FieldValueInvalid metadata.labels");
        assertThat(reasonsAndFields(Admission.create(namespace))).containsExactly("FieldValueInvalid metadata.name");
        assertThat(reasonsAndFields(Admission.create(service))).containsExactly("FieldValueInvalid metadata.name");
    }

    private static ObjectMeta meta(String name, String namespace) {
        return new ObjectMetaBuilder().withName(name).withNamespace(namespace).build();
    }

    private static List<Cause> validate(ObjectMeta meta, ResourceDefinition<?> definition) {
        FieldErrors errors = new FieldErrors();
        MetadataValidation.validate(meta, definition, null, errors);
        return errors.causes();
    }

    private static List<Cause> updateErrors(ObjectMeta meta, ObjectMeta old) {
        FieldErrors errors = new FieldErrors();
        MetadataValidation.validate(meta, PODS, old, errors);
        return errors.causes();
    }
}
