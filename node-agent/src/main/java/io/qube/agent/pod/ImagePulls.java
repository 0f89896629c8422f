package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.qube.agent.runtime.ImageManager;
import io.qube.agent.runtime.ImageManager.Image;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's image manager for one container start: imagePullPolicy (Always, IfNotPresent, Never), pulls
 * with the pod's imagePullSecrets, the events users read in {@code kubectl describe} (Pulling, Pulled with time
 * and size, Failed, BackOff, ErrImageNeverPull) and the waiting reasons ErrImagePull, ImagePullBackOff and
 * ErrImageNeverPull with back-off between failed pulls.
 */
final class ImagePulls {

    /** The image to run, or why the container waits (reason and message, as its waiting state shows them). */
    record Outcome(String image, String reason, String message) {
        static Outcome ready(String image) {
            return new Outcome(image, null, null);
        }

        boolean ready() {
            return image != null;
        }
    }

    private final ImageManager images;
    private final PodEvents events;
    private final PodSources sources;
    private final PullBackoff backoff = new PullBackoff();
    /** Keys whose current back-off has had its BackOff event: one per failure, not one per sync. */
    private final Set<String> backoffReported = ConcurrentHashMap.newKeySet();

    ImagePulls(ImageManager images, PodEvents events, PodSources sources) {
        this.images = images;
        this.events = events;
        this.sources = sources;
    }

    Outcome ensure(Pod pod, Container container, String fieldPath) throws IOException {
        String image = container.getImage();
        String policy = container.getImagePullPolicy() == null ? "IfNotPresent" : container.getImagePullPolicy();
        Image present = policy.equals("Always") ? null : images.status(image);
        if (present != null) {
            events.normal(pod, fieldPath, "Pulled", "Container image \"" + image + "\" already present on machine");
            return Outcome.ready(image);
        }
        if (policy.equals("Never")) {
            String message = "Container image \"" + image + "\" is not present with pull policy of Never";
            events.warning(pod, fieldPath, "ErrImageNeverPull", message);
            return new Outcome(null, "ErrImageNeverPull", message);
        }
        String key = pod.getMetadata().getUid() + "/" + image;
        Instant now = Instant.now();
        if (!backoff.remaining(key, now).isZero()) {
            if (backoffReported.add(key)) {
                events.normal(pod, fieldPath, "BackOff", "Back-off pulling image \"" + image + "\"");
                events.warning(pod, fieldPath, "Failed", "Error: ImagePullBackOff");
            }
            return new Outcome(null, "ImagePullBackOff", "Back-off pulling image \"" + image + "\"");
        }
        events.normal(pod, fieldPath, "Pulling", "Pulling image \"" + image + "\"");
        try {
            Image pulled = images.pull(image, PullSecrets.forImage(pod, image, sources));
            backoff.succeeded(key);
            Duration took = Duration.between(now, Instant.now());
            String seconds = String.format("%.3fs", took.toMillis() / 1000.0);
            events.normal(pod, fieldPath, "Pulled", "Successfully pulled image \"" + image + "\" in " + seconds
                    + " (" + seconds + " including waiting). Image size: " + pulled.size() + " bytes.");
            return Outcome.ready(image);
        } catch (ImageManager.PullFailure e) {
            backoff.failed(key, Instant.now());
            backoffReported.remove(key);
            String message = "Failed to pull image \"" + image + "\": " + e.getMessage();
            events.warning(pod, fieldPath, "Failed", message);
            events.warning(pod, fieldPath, "Failed", "Error: ErrImagePull");
            return new Outcome(null, "ErrImagePull", message);
        }
    }

    void forget(String podUid) {
        backoff.forget(podUid);
        backoffReported.removeIf(key -> key.startsWith(podUid + "/"));
    }
}
