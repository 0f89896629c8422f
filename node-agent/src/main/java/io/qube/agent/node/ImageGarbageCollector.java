package io.qube.agent.node;

import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.ImageManager.Image;
import io.qube.agent.runtime.SandboxStatus;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's image garbage collection: every period, when the image file system is used above the high
 * threshold (percent), images no container uses are removed, least recently used first and none younger than the
 * minimum age, until the use is at the low threshold. Images the runtime pins and the sandbox (pause) image are
 * never removed (containerd 1.6 pins none, so the agent names its sandbox image itself).
 */
public final class ImageGarbageCollector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ImageGarbageCollector.class);

    /** The collector's settings, the kubelet's flags of the same names. */
    public record Settings(int highThresholdPercent, int lowThresholdPercent, Duration minimumAge, Duration period) {
        public Settings {
            if (lowThresholdPercent > highThresholdPercent || highThresholdPercent > 100 || lowThresholdPercent < 0) {
                throw new IllegalArgumentException("image GC thresholds must be 0 <= low (" + lowThresholdPercent
                        + ") <= high (" + highThresholdPercent + ") <= 100");
            }
        }
    }

    /** What the collector reads of the node besides its images. */
    public interface Node {
        /** The image references (ids or names) of every container the runtime has, running or not. */
        Set<String> imagesInUse() throws IOException;

        /** The image file system's size and use in bytes, [capacity, used]. */
        long[] imageFsUsage(ImageManager.ImageFs fs) throws IOException;

        /** A node whose containers are the runtime's and whose image file system is the one the runtime names. */
        static Node of(ContainerRuntime runtime) {
            return new Node() {
                @Override
                public Set<String> imagesInUse() throws IOException {
                    Set<String> refs = new HashSet<>();
                    for (SandboxStatus sandbox : runtime.sandboxes()) {
                        for (ContainerStatus container : sandbox.containers()) {
                            if (container.imageRef() != null) {
                                refs.add(container.imageRef());
                            }
                        }
                    }
                    return refs;
                }

                @Override
                public long[] imageFsUsage(ImageManager.ImageFs fs) throws IOException {
                    FileStore store = Files.getFileStore(fs.mountpoint());
                    return new long[] {store.getTotalSpace(), store.getTotalSpace() - store.getUsableSpace()};
                }
            };
        }
    }

    private final Node node;
    private final ImageManager images;
    private final Set<String> pinned;
    private final Settings settings;
    private final Clock clock;
    /** When each image (by id) was first seen or last seen in use. */
    private final Map<String, Instant> lastUsed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "image-gc");
        thread.setDaemon(true);
        return thread;
    });

    public ImageGarbageCollector(Node node, ImageManager images, Set<String> pinned, Settings settings,
                                 Clock clock) {
        this.node = node;
        this.images = images;
        this.pinned = pinned;
        this.settings = settings;
        this.clock = clock;
    }

    public void start() {
        ticks.scheduleWithFixedDelay(() -> {
            try {
                collect();
            } catch (IOException | RuntimeException e) {
                LOG.warnf("image garbage collection failed: %s; trying again in %s", e.getMessage(), settings.period());
            }
        }, settings.period().toMillis(), settings.period().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: what was removed, by id. */
    synchronized List<String> collect() throws IOException {
        List<Image> all = images.list();
        Set<String> inUse = inUse(all);
        Instant now = clock.instant();
        observe(all, inUse, now);
        ImageManager.ImageFs fs = images.imageFs();
        long[] usage = node.imageFsUsage(fs);
        long capacity = usage[0];
        long used = usage[1];
        if (capacity <= 0 || used * 100 < (long) settings.highThresholdPercent() * capacity) {
            return List.of();
        }
        List<String> removed = free(all, inUse, now, used - capacity * settings.lowThresholdPercent() / 100);
        LOG.infof("image file system %s was %d%% used (high threshold %d%%): removed %d unused image(s) %s",
                fs.mountpoint(), used * 100 / capacity, settings.highThresholdPercent(), removed.size(), removed);
        return removed;
    }

    /**
     * Every image no container uses and old enough, whatever the file system's use: the kubelet's reclaim of
     * node-level resources under disk pressure, tried before any pod is evicted. Both rounds hold the collector's
     * lock: the eviction manager's thread and the collector's own must not remove the same images.
     */
    public synchronized List<String> deleteUnused() throws IOException {
        List<Image> all = images.list();
        Set<String> inUse = inUse(all);
        Instant now = clock.instant();
        observe(all, inUse, now);
        List<String> removed = free(all, inUse, now, Long.MAX_VALUE);
        LOG.infof("disk pressure: removed %d unused image(s) %s", removed.size(), removed);
        return removed;
    }

    /** Notes when each image was first seen, or last seen in use; forgets removed ones. */
    private void observe(List<Image> all, Set<String> inUse, Instant now) {
        for (Image image : all) {
            if (inUse.contains(image.id())) {
                lastUsed.put(image.id(), now);
            } else {
                lastUsed.putIfAbsent(image.id(), now);
            }
        }
        lastUsed.keySet().retainAll(all.stream().map(Image::id).toList());
    }

    /** Removes unused, unpinned images past the minimum age, least recently used first, until toFree bytes. */
    private List<String> free(List<Image> all, Set<String> inUse, Instant now, long toFree) throws IOException {
        List<String> removed = new ArrayList<>();
        List<Image> candidates = all.stream()
                .filter(image -> !inUse.contains(image.id()) && !image.pinned()
                        && image.names().stream().noneMatch(pinned::contains))
                .filter(image -> !lastUsed.get(image.id()).plus(settings.minimumAge()).isAfter(now))
                .sorted(Comparator.comparing(image -> lastUsed.get(image.id()))).toList();
        long left = toFree;
        for (Image image : candidates) {
            if (left <= 0) {
                break;
            }
            images.remove(image.id());
            lastUsed.remove(image.id());
            removed.add(image.id());
            left -= image.size();
        }
        return removed;
    }

    /** Ids of the images some container of the runtime (running or not) was made from. */
    private Set<String> inUse(List<Image> all) throws IOException {
        Set<String> refs = node.imagesInUse();
        Set<String> ids = new HashSet<>();
        for (Image image : all) {
            if (refs.contains(image.id()) || image.names().stream().anyMatch(refs::contains)) {
                ids.add(image.id());
            }
        }
        return ids;
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}
