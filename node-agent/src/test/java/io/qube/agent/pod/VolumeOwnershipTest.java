package io.qube.agent.pod;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** fsGroup ownership of a volume, as the kubelet gives it (needs root, as the agent, to give away a group). */
class VolumeOwnershipTest {

    private static final int GROUP = 4242;

    @TempDir
    Path volume;

    private static int gid(Path path) throws Exception {
        return (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    private static int mode(Path path) throws Exception {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    @Test
    void everyFileGetsTheGroupWithReadAndWriteAndDirectoriesSetgid() throws Exception {
        Files.setAttribute(volume, "unix:mode", 0700);
        Path directory = Files.createDirectory(volume.resolve("dir"));
        Files.setAttribute(directory, "unix:mode", 0700);
        Path file = Files.writeString(directory.resolve("file"), "x");
        Files.setAttribute(file, "unix:mode", 0600);
        VolumeOwnership.apply(volume, GROUP, null, false);
        assertThat(gid(volume)).isEqualTo(GROUP);
        assertThat(gid(file)).isEqualTo(GROUP);
        assertThat(mode(volume)).isEqualTo(02770);
        assertThat(mode(directory)).isEqualTo(02770);
        assertThat(mode(file)).isEqualTo(0660);
        assertThat(VolumeOwnership.mismatch(volume, GROUP, false)).isFalse();
    }

    @Test
    void onRootMismatchLeavesAVolumeWhoseRootIsRightAlone() throws Exception {
        VolumeOwnership.apply(volume, GROUP, null, false);
        Path file = Files.writeString(volume.resolve("late"), "x");
        Files.setAttribute(file, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
        VolumeOwnership.apply(volume, GROUP, "OnRootMismatch", false);
        assertThat(gid(file)).isZero();
        VolumeOwnership.apply(volume, GROUP + 1, "OnRootMismatch", false);
        assertThat(gid(file)).isEqualTo(GROUP + 1);
    }

    @Test
    void aLinkIsReownedButWhatItPointsToIsNot(@TempDir Path outside) throws Exception {
        Path target = Files.writeString(outside.resolve("target"), "x");
        Files.createSymbolicLink(volume.resolve("link"), target);
        VolumeOwnership.apply(volume, GROUP, "Always", false);
        assertThat(gid(volume.resolve("link"))).isEqualTo(GROUP);
        assertThat(gid(target)).isZero();
    }
}
