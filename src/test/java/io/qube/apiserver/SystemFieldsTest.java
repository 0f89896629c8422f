package io.qube.apiserver;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Object uids are random version 4 UUIDs, as Kubernetes makes them, and never repeat. */
class SystemFieldsTest {

    @Test
    void uidsAreDistinctRandomUuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String uid = SystemFields.newUid();
            UUID parsed = UUID.fromString(uid);
            assertThat(parsed.version()).isEqualTo(4);
            assertThat(parsed.variant()).isEqualTo(2);
            assertThat(parsed.toString()).isEqualTo(uid);
            assertThat(seen.add(uid)).as("uid %s repeated", uid).isTrue();
        }
    }
}
