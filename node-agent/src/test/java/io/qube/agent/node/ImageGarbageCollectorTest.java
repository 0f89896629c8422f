package io.qube.agent.node;

import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.ImageManager.Image;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageGarbageCollectorTest {

    private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");
    private static final ImageGarbageCollector.Settings SETTINGS = new ImageGarbageCollector.Settings(85, 80,
            Duration.ofMinutes(2), Duration.ofMinutes(5));

    /** Images on a 1,000-byte file system whose other content uses {@code base} bytes; removals free their size. */
    private static final class Disk implements ImageManager, ImageGarbageCollector.Node {
        final List<Image> images = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        Set<String> inUse = Set.of();
        long base;

        Disk(long base, Image... images) {
            this.base = base;
            this.images.addAll(List.of(images));
        }

        @Override
        public Image status(String image) {
            return null;
        }

        @Override
        public Image pull(String image, List<RegistryCredentials> credentials) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Image> list() {
            return List.copyOf(images);
        }

        @Override
        public void remove(String imageId) {
            removed.add(imageId);
            images.removeIf(image -> image.id().equals(imageId));
        }

        @Override
        public ImageFs imageFs() {
            return new ImageFs(Path.of("/images"), images.stream().mapToLong(Image::size).sum());
        }

        @Override
        public Set<String> imagesInUse() {
            return inUse;
        }

        @Override
        public long[] imageFsUsage(ImageFs fs) {
            return new long[] {1000, base + fs.usedBytes()};
        }
    }

    private static Image image(String id, long size) {
        return new Image(id, List.of("r/" + id + ":1"), List.of("r/" + id + "@" + id), size, false);
    }

    private static final class MovableClock extends Clock {
        Instant now = T0;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aboveTheHighThresholdUnusedImagesGoLeastRecentlyUsedFirstUntilTheLowOne() throws Exception {
        // 600 other bytes + 300 of images = 90 % > 85 %: 100 bytes must go to reach 80 %.
        Disk disk = new Disk(600, image("old", 60), image("used", 100), image("newer", 60), image("pause", 80));
        disk.inUse = Set.of("r/used@used");
        MovableClock clock = new MovableClock();
        ImageGarbageCollector collector = new ImageGarbageCollector(disk, disk, Set.of("r/pause:1"), SETTINGS,
                clock);
        Image newer = disk.images.remove(2); // appears a minute after the others
        assertThat(collector.collect()).as("all younger than the minimum age").isEmpty();
        clock.now = T0.plus(Duration.ofMinutes(1));
        disk.images.add(newer);
        assertThat(collector.collect()).isEmpty();
        clock.now = T0.plus(Duration.ofMinutes(3).plusSeconds(30));
        assertThat(collector.collect()).containsExactly("old", "newer");
        assertThat(disk.images).extracting(Image::id).containsExactly("used", "pause");
    }

    @Test
    void anImageTheRuntimePinsStays() throws Exception {
        Disk disk = new Disk(900, new Image("pinned", List.of("r/p:1"), List.of(), 50, true), image("free", 50));
        MovableClock clock = new MovableClock();
        ImageGarbageCollector collector = new ImageGarbageCollector(disk, disk, Set.of(), SETTINGS, clock);
        collector.collect();
        clock.now = T0.plus(Duration.ofHours(1));
        assertThat(collector.collect()).containsExactly("free");
    }

    @Test
    void underDiskPressureEveryUnusedImagePastTheMinimumAgeGoesWhateverTheThresholds() throws Exception {
        Disk disk = new Disk(100, image("a", 100), image("used", 100), image("young", 100), image("pause", 50));
        disk.inUse = Set.of("r/used@used");
        MovableClock clock = new MovableClock();
        ImageGarbageCollector collector = new ImageGarbageCollector(disk, disk, Set.of("r/pause:1"), SETTINGS,
                clock);
        Image young = disk.images.remove(2);
        assertThat(collector.deleteUnused()).as("all younger than the minimum age").isEmpty();
        clock.now = T0.plus(Duration.ofMinutes(1));
        disk.images.add(young);
        collector.collect(); // 45 %: removes nothing, but notes when "young" appeared
        clock.now = T0.plus(Duration.ofMinutes(2));
        assertThat(collector.deleteUnused()).containsExactly("a");
        assertThat(disk.images).extracting(Image::id).containsExactly("used", "pause", "young");
    }

    @Test
    void belowTheHighThresholdNothingGoes() throws Exception {
        Disk disk = new Disk(500, image("a", 100), image("b", 100)); // 70 %
        MovableClock clock = new MovableClock();
        ImageGarbageCollector collector = new ImageGarbageCollector(disk, disk, Set.of(), SETTINGS, clock);
        collector.collect();
        clock.now = T0.plus(Duration.ofHours(1));
        assertThat(collector.collect()).isEmpty();
        assertThat(disk.removed).isEmpty();
    }

    @Test
    void anImageInUseAgainCountsAsRecentlyUsed() throws Exception {
        Disk disk = new Disk(780, image("a", 50), image("b", 50)); // 88 %: 80 bytes to free, so both would go
        MovableClock clock = new MovableClock();
        ImageGarbageCollector collector = new ImageGarbageCollector(disk, disk, Set.of(), SETTINGS, clock);
        disk.inUse = Set.of("a");
        collector.collect();
        clock.now = T0.plus(Duration.ofMinutes(1));
        assertThat(collector.collect()).isEmpty(); // a still used; b only a minute old
        disk.inUse = Set.of();
        clock.now = T0.plus(Duration.ofMinutes(2).plusSeconds(30));
        // b has been unused for 2.5 minutes; a only since its container went, 1.5 minutes: it stays.
        assertThat(collector.collect()).containsExactly("b");
    }

    @Test
    void thresholdsOutOfOrderAreRefused() {
        assertThatThrownBy(() -> new ImageGarbageCollector.Settings(70, 80, Duration.ZERO, Duration.ofMinutes(5)))
                .hasMessageContaining("low (80) <= high (70)");
    }
}
