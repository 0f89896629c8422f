package io.qube.scheduler.preemption;

import io.qube.scheduler.framework.PodInfo;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Kubernetes' choice among preemption candidates, criterion by criterion until one node is left: no victims at
 * all; the lowest highest-priority victim; the lowest sum of victim priorities; the fewest victims; the latest
 * start among the highest-priority victims; then the first.
 */
final class CandidatePicker {

    private CandidatePicker() {
    }

    static Candidate pick(List<Candidate> candidates) {
        for (Candidate candidate : candidates) {
            if (candidate.victims().isEmpty()) {
                return candidate;
            }
        }
        List<Candidate> left = new ArrayList<>(candidates);
        left = keepMinimal(left, c -> c.victims().get(0).priority());
        // Offset by 2^31 so that negative priorities still add up to less than positive ones.
        left = keepMinimal(left, c -> c.victims().stream().mapToLong(v -> (long) v.priority() + Integer.MAX_VALUE + 1).sum());
        left = keepMinimal(left, c -> c.victims().size());
        left = keepMinimal(left, c -> -earliestStartOfTopPriority(c).toEpochMilli());
        return left.get(0);
    }

    private static List<Candidate> keepMinimal(List<Candidate> candidates, ToLongFunction<Candidate> measure) {
        if (candidates.size() == 1) {
            return candidates;
        }
        long min = Long.MAX_VALUE;
        List<Candidate> kept = new ArrayList<>();
        for (Candidate candidate : candidates) {
            long value = measure.applyAsLong(candidate);
            if (value < min) {
                min = value;
                kept.clear();
            }
            if (value == min) {
                kept.add(candidate);
            }
        }
        return kept;
    }

    private static Instant earliestStartOfTopPriority(Candidate candidate) {
        int top = candidate.victims().get(0).priority();
        Instant earliest = Instant.MAX;
        for (PodInfo victim : candidate.victims()) {
            if (victim.priority() == top) {
                Instant start = victim.startTime();
                if (start.isBefore(earliest)) {
                    earliest = start;
                }
            }
        }
        return earliest;
    }
}
