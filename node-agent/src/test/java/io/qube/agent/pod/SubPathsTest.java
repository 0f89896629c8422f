package io.qube.agent.pod;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A mount's subPath inside its volume: made when missing, never outside the volume. */
class SubPathsTest {

    @TempDir
    Path work;

    @Test
    void aMissingSubPathIsMadeWithTheVolumesMode() throws Exception {
        Path volume = Files.createDirectory(work.resolve("volume"));
        Files.setPosixFilePermissions(volume, PosixFilePermissions.fromString("rwxr-x---"));
        Path prepared = SubPaths.prepare(volume, "a/b/c");
        assertThat(prepared).isEqualTo(volume.toRealPath().resolve("a/b/c")).isDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(volume.resolve("a"))))
                .isEqualTo("rwxr-x---");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(prepared))).isEqualTo("rwxr-x---");
    }

    @Test
    void anExistingFileOrALinkInsideTheVolumeIsUsedAsItIs() throws Exception {
        Path volume = Files.createDirectory(work.resolve("volume"));
        Files.writeString(volume.resolve("config.txt"), "x");
        Files.createDirectory(volume.resolve("real"));
        Files.createSymbolicLink(volume.resolve("alias"), volume.resolve("real"));
        assertThat(SubPaths.prepare(volume, "config.txt")).hasContent("x");
        assertThat(SubPaths.prepare(volume, "alias/inner")).isDirectory();
        assertThat(volume.resolve("real/inner")).isDirectory();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/etc|must be a relative path",
            "..|must not contain '..'",
            "a/../../b|must not contain '..'",
            "out/x|outside of the volume",
            "out|outside of the volume",
            "deep/out/x|outside of the volume"})
    void aSubPathOutOfTheVolumeIsRefusedAndNothingIsMadeOutside(String subPath, String reason) throws Exception {
        Path volume = Files.createDirectory(work.resolve("volume"));
        Path outside = Files.createDirectory(work.resolve("outside"));
        Files.createSymbolicLink(volume.resolve("out"), outside);
        Files.createDirectory(volume.resolve("deep"));
        Files.createSymbolicLink(volume.resolve("deep/out"), Path.of("../../outside"));
        assertThatThrownBy(() -> SubPaths.prepare(volume, subPath)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
        try (var listing = Files.list(outside)) {
            assertThat(listing).isEmpty();
        }
    }
}
