package io.qube.agent.node;

import io.fabric8.kubernetes.api.model.ContainerImage;
import io.qube.agent.runtime.ImageManager.Image;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class NodeImagesTest {

    @Test
    void imagesAreListedLargestFirstWithDigestsThenTagsAndNamelessOnesLeftOut() {
        List<ContainerImage> listed = NodeImages.of(List.of(
                new Image("sha256:a", List.of("r/small:1"), List.of("r/small@sha256:a"), 10, false),
                new Image("sha256:b", List.of(), List.of(), 999, false),
                new Image("sha256:c", List.of("r/big:2", "r/big:latest"), List.of("r/big@sha256:c"), 500, false)));
        assertThat(listed).containsExactly(
                new ContainerImage(List.of("r/big@sha256:c", "r/big:2", "r/big:latest"), 500L),
                new ContainerImage(List.of("r/small@sha256:a", "r/small:1"), 10L));
    }

    @Test
    void atMostFiftyImagesAreListedAsTheKubeletDoes() {
        List<Image> many = IntStream.range(0, 60).mapToObj(i -> new Image("sha256:" + i, List.of("r/i:" + i),
                List.of(), i, false)).toList();
        List<ContainerImage> listed = NodeImages.of(many);
        assertThat(listed).hasSize(NodeImages.MAX_IMAGES);
        assertThat(listed.get(0).getSizeBytes()).isEqualTo(59);
        assertThat(listed.get(49).getSizeBytes()).isEqualTo(10);
    }
}
