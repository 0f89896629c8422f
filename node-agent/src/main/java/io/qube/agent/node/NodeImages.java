package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.qube.agent.runtime.ImageManager;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Node's status.images as the kubelet lists them: each image on the node with its digests then tags as names
 * and its size, largest first, at most 50 (the kubelet's nodeStatusMaxImages).
 */
final class NodeImages implements Supplier<List<ContainerImage>> {

    static final int MAX_IMAGES = 50;
    private static final Logger LOG = Logger.getLogger(NodeImages.class);

    private final ImageManager images;

    NodeImages(ImageManager images) {
        this.images = images;
    }

    @Override
    public List<ContainerImage> get() {
        try {
            return of(images.list());
        } catch (IOException e) {
            LOG.debugf("listing the node's images failed: %s", e.getMessage());
            return null; // unknown: the status keeps the images it has
        }
    }

    static List<ContainerImage> of(List<ImageManager.Image> found) {
        return found.stream().filter(image -> !image.names().isEmpty())
                .sorted(Comparator.comparingLong(ImageManager.Image::size).reversed()).limit(MAX_IMAGES)
                .map(image -> new ContainerImage(image.names(), image.size())).toList();
    }
}
