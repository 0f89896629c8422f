package io.qube.agent.pod;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Projected volume files written as the kubelet's atomic writer does. */
class AtomicWriterTest {

    @TempDir
    Path volume;

    private static AtomicWriter.File file(String text, int mode) {
        return new AtomicWriter.File(text.getBytes(StandardCharsets.UTF_8), mode);
    }

    @Test
    void filesAreLinksThroughDataWithTheirModes() throws Exception {
        AtomicWriter.write(volume, Map.of("a", file("one", 0644), "dir/b", file("two", 0400)));
        assertThat(Files.readString(volume.resolve("a"))).isEqualTo("one");
        assertThat(Files.readString(volume.resolve("dir/b"))).isEqualTo("two");
        assertThat(Files.isSymbolicLink(volume.resolve("a"))).isTrue();
        assertThat(Files.readSymbolicLink(volume.resolve("..data")).toString()).startsWith("..");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(volume.resolve("dir/b"))))
                .isEqualTo("r--------");
    }

    @Test
    void anUpdateSwapsTheDataDirectoryAndDropsRemovedKeys() throws Exception {
        AtomicWriter.write(volume, Map.of("a", file("one", 0644), "gone", file("x", 0644)));
        Path before = Files.readSymbolicLink(volume.resolve("..data"));
        AtomicWriter.write(volume, Map.of("a", file("changed", 0644)));
        assertThat(Files.readString(volume.resolve("a"))).isEqualTo("changed");
        assertThat(volume.resolve("gone")).doesNotExist();
        assertThat(volume.resolve(before)).doesNotExist();
    }

    @Test
    void unchangedContentIsLeftAlone() throws Exception {
        AtomicWriter.write(volume, Map.of("a", file("one", 0644)));
        Path before = Files.readSymbolicLink(volume.resolve("..data"));
        AtomicWriter.write(volume, Map.of("a", file("one", 0644)));
        assertThat(Files.readSymbolicLink(volume.resolve("..data"))).isEqualTo(before);
    }
}
