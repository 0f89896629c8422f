package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.ExtensionPoints;

import static io.qube.scheduler.framework.ExtensionPoints.MAX_NODE_SCORE;

/** Kubernetes' default score normalisation. */
final class Scores {

    private Scores() {
    }

    /**
     * Scales scores so the highest becomes {@code MAX_NODE_SCORE}; with {@code reverse}, the lowest raw score gets
     * the most (for plugins that count something bad, like untolerated soft taints).
     */
    static void normalize(long[] scores, boolean reverse) {
        long max = 0;
        for (long score : scores) {
            max = Math.max(max, score);
        }
        long top = ExtensionPoints.MAX_NODE_SCORE;
        for (int i = 0; i < scores.length; i++) {
            long scaled = max == 0 ? 0 : top * scores[i] / max;
            scores[i] = reverse ? top - scaled : scaled;
        }
    }
}
