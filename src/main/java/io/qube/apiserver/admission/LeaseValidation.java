package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;

/** Kubernetes' validation of a Lease: a positive duration, a non-negative transition count, a known strategy. */
final class LeaseValidation {

    /** The only strategy Kubernetes itself defines; others must be qualified ("example.com/mine"). */
    private static final List<String> KNOWN_STRATEGIES = List.of("OldestEmulationVersion");

    private LeaseValidation() {
    }

    static void validate(Lease lease, FieldErrors errors) {
        LeaseSpec spec = lease.getSpec();
        if (spec == null) {
            return;
        }
        if (spec.getLeaseDurationSeconds() != null && spec.getLeaseDurationSeconds() <= 0) {
            errors.invalid("spec.leaseDurationSeconds", spec.getLeaseDurationSeconds(), "must be greater than 0");
        }
        if (spec.getLeaseTransitions() != null && spec.getLeaseTransitions() < 0) {
            errors.invalid("spec.leaseTransitions", spec.getLeaseTransitions(), "must be greater than or equal to 0");
        }
        String strategy = spec.getStrategy();
        if (strategy != null) {
            if (!strategy.contains("/")) {
                if (!KNOWN_STRATEGIES.contains(strategy)) {
                    errors.notSupported("spec.strategy", strategy, KNOWN_STRATEGIES);
                }
            } else {
                NameSyntax.qualifiedName(strategy).forEach(problem -> errors.invalid("spec.strategy", strategy, problem));
            }
        }
        // A preferred holder only means something to a coordinated election strategy.
        if (!NullSafe.isEmpty(spec.getPreferredHolder()) && NullSafe.isEmpty(strategy)) {
            errors.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined");
        }
    }
}
