package io.qube.apiserver.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' version priority, as its documentation on CRD versioning lists an example of it. */
class VersionPriorityTest {

    @Test
    void gaThenBetaThenAlphaThenOtherNamesAlphabetically() {
        List<String> shuffled = List.of("v11alpha2", "foo1", "v1beta1", "v2", "v3beta1", "v10beta3", "foo10", "v1",
                "v12alpha1", "v10", "v10alpha1", "v11beta2");
        assertThat(shuffled.stream().sorted(VersionPriority.MOST_PREFERRED_FIRST).toList()).containsExactly(
                "v10", "v2", "v1", "v11beta2", "v10beta3", "v3beta1", "v1beta1", "v12alpha1", "v11alpha2",
                "v10alpha1", "foo1", "foo10");
    }

    @Test
    void namesThatOnlyLookLikeVersionsAreOthers() {
        assertThat(List.of("v0", "v1beta0", "v01", "v1").stream().sorted(VersionPriority.MOST_PREFERRED_FIRST))
                .containsExactly("v1", "v0", "v01", "v1beta0");
    }
}
