package io.qube.agent.runtime.cri;

import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.cri.v1.Cri;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The runtime's ImageService: status, pulls with the credentials that match the image's registry, removal. */
final class CriImages implements ImageManager {

    /** A pull of a large image over a slow link takes minutes; the kubelet waits as long as the runtime works. */
    private static final Duration PULL_DEADLINE = Duration.ofMinutes(15);
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final CriClient client;

    CriImages(CriClient client) {
        this.client = client;
    }

    @Override
    public Image status(String image) throws IOException {
        Cri.ImageStatusResponse answer = client.images(DEADLINE, stub -> stub.imageStatus(
                Cri.ImageStatusRequest.newBuilder().setImage(Cri.ImageSpec.newBuilder().setImage(image)).build()));
        return answer.hasImage() ? of(answer.getImage()) : null;
    }

    @Override
    public Image pull(String image, List<RegistryCredentials> credentials) throws IOException, PullFailure {
        List<Cri.AuthConfig> attempts = new ArrayList<>();
        for (RegistryCredentials one : credentials) {
            // No server address: containerd compares it as a URL with the registry's host and would drop a
            // "host:port" one; the credentials were matched to the image's registry already.
            attempts.add(Cri.AuthConfig.newBuilder().setUsername(one.username()).setPassword(one.password())
                    .build());
        }
        if (attempts.isEmpty()) {
            attempts.add(null);
        }
        String failure = null;
        for (Cri.AuthConfig auth : attempts) {
            Cri.PullImageRequest.Builder request = Cri.PullImageRequest.newBuilder()
                    .setImage(Cri.ImageSpec.newBuilder().setImage(image));
            if (auth != null) {
                request.setAuth(auth);
            }
            try {
                String ref = client.images(PULL_DEADLINE, stub -> stub.pullImage(request.build())).getImageRef();
                Image pulled = status(ref);
                return pulled != null ? pulled : new Image(ref, List.of(image), List.of(), 0, false);
            } catch (CriClient.CriException e) {
                failure = e.getMessage();
            }
        }
        throw new PullFailure(failure);
    }

    @Override
    public List<Image> list() throws IOException {
        return client.images(DEADLINE, stub -> stub.listImages(Cri.ListImagesRequest.getDefaultInstance()))
                .getImagesList().stream().map(CriImages::of).toList();
    }

    @Override
    public void remove(String imageId) throws IOException {
        client.images(DEADLINE, stub -> stub.removeImage(Cri.RemoveImageRequest.newBuilder()
                .setImage(Cri.ImageSpec.newBuilder().setImage(imageId)).build()));
    }

    @Override
    public ImageFs imageFs() throws IOException {
        Cri.ImageFsInfoResponse info = client.images(DEADLINE, stub -> stub.imageFsInfo(
                Cri.ImageFsInfoRequest.getDefaultInstance()));
        if (info.getImageFilesystemsCount() == 0) {
            throw new IOException("the runtime reports no image file system");
        }
        Cri.FilesystemUsage usage = info.getImageFilesystems(0);
        return new ImageFs(java.nio.file.Path.of(usage.getFsId().getMountpoint()), usage.getUsedBytes().getValue());
    }

    private static Image of(Cri.Image image) {
        return new Image(image.getId(), image.getRepoTagsList(), image.getRepoDigestsList(), image.getSize(),
                image.getPinned());
    }
}
