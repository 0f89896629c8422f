package io.qube.controller.volume;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which class a claim without one is given after the fact (Kubernetes' GetDefaultClass). */
class DefaultClassTest {

    static Stream<Arguments> classes() {
        return Stream.of(
                Arguments.of("no class is the default", List.of(storageClass("a", "2026-01-01T00:00:00Z", null)),
                        null),
                Arguments.of("the one marked", List.of(storageClass("a", "2026-01-01T00:00:00Z", null),
                        storageClass("b", "2026-01-01T00:00:00Z", "true")), "b"),
                Arguments.of("marked false is not", List.of(storageClass("a", "2026-01-01T00:00:00Z", "false")),
                        null),
                Arguments.of("of several, the newest", List.of(storageClass("old", "2026-01-01T00:00:00Z", "true"),
                        storageClass("new", "2026-02-01T00:00:00Z", "true")), "new"),
                Arguments.of("made at once, the first by name", List.of(
                        storageClass("zeta", "2026-01-01T00:00:00Z", "true"),
                        storageClass("alpha", "2026-01-01T00:00:00Z", "true")), "alpha"),
                Arguments.of("the beta annotation counts", List.of(new StorageClassBuilder(storageClass("beta",
                        "2026-01-01T00:00:00Z", null)).editMetadata().addToAnnotations(
                        "storageclass.beta.kubernetes.io/is-default-class", "true").endMetadata().build()), "beta"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("classes")
    void choosesTheDefaultClassAsKubernetesDoes(String name, List<StorageClass> classes, String expected) {
        StorageClass chosen = ClaimSync.defaultClass(classes);

        assertThat(chosen == null ? null : chosen.getMetadata().getName()).isEqualTo(expected);
    }

    private static StorageClass storageClass(String name, String created, String isDefault) {
        StorageClassBuilder storageClass = new StorageClassBuilder().withNewMetadata().withName(name)
                .withCreationTimestamp(created).endMetadata().withProvisioner("example.com/p");
        if (isDefault != null) {
            storageClass.editMetadata().addToAnnotations("storageclass.kubernetes.io/is-default-class", isDefault)
                    .endMetadata();
        }
        return storageClass.build();
    }
}
