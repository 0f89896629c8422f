package io.qube.agent.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The provisioner's directories: made under the root only, removed only when they are one of its volumes. */
class LocalVolumeDirectoriesTest {

    @TempDir
    Path work;

    @Test
    void aVolumeDirectoryIsMadeOpenToEveryUserAndMakingItAgainKeepsItsFiles() throws Exception {
        LocalVolumeDirectories directories = new LocalVolumeDirectories(work.resolve("volumes"));
        Path made = directories.create("pvc-1234");
        assertThat(made).isEqualTo(work.resolve("volumes/pvc-1234"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made))).isEqualTo("rwxrwxrwx");
        Files.writeString(made.resolve("data"), "kept");
        assertThat(directories.create("pvc-1234")).isEqualTo(made);
        assertThat(made.resolve("data")).hasContent("kept");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"..", "../etc", "a/b", "/etc", "Upper", "", "a..b"})
    void aNameThatIsNoVolumeNameIsRefused(String name) {
        LocalVolumeDirectories directories = new LocalVolumeDirectories(work.resolve("volumes"));
        assertThatThrownBy(() -> directories.create(name)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void removalDeletesTheWholeTreeAndAnAbsentOneIsFine() throws Exception {
        LocalVolumeDirectories directories = new LocalVolumeDirectories(work.resolve("volumes"));
        Path made = directories.create("pvc-1");
        Files.createDirectories(made.resolve("a/b"));
        Files.writeString(made.resolve("a/b/file"), "x");
        directories.remove(made.toString());
        assertThat(made).doesNotExist();
        directories.remove(made.toString());
        assertThat(work.resolve("volumes")).isDirectory();
    }

    @Test
    void removalFollowsNoLinkOutOfTheVolume() throws Exception {
        LocalVolumeDirectories directories = new LocalVolumeDirectories(work.resolve("volumes"));
        Path outside = Files.createDirectories(work.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "x");
        Path made = directories.create("pvc-2");
        Files.createSymbolicLink(made.resolve("link"), outside);
        directories.remove(made.toString());
        assertThat(made).doesNotExist();
        assertThat(outside.resolve("precious")).hasContent("x");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ROOT", "ROOT/..", "ROOT/pvc-1/..", "ROOT/../outside", "ROOT/pvc-1/inner", "/etc",
            "relative/pvc-1", "ROOT/link"})
    void aPathThatIsNotAVolumeDirectoryIsNotDeleted(String path) throws IOException {
        Path root = work.resolve("volumes");
        LocalVolumeDirectories directories = new LocalVolumeDirectories(root);
        Files.createDirectories(directories.create("pvc-1").resolve("inner"));
        Files.createDirectories(work.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), work.resolve("outside"));
        assertThatThrownBy(() -> directories.remove(path.replace("ROOT", root.toString())))
                .isInstanceOf(IOException.class).hasMessageContaining("refusing to delete");
        assertThat(root.resolve("pvc-1/inner")).isDirectory();
        assertThat(work.resolve("outside")).isDirectory();
    }
}
