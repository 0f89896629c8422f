package io.qube.controller.clusterroleaggregation;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.qube.client.Selectors;
import io.qube.client.WorkQueue;
import io.qube.controller.api.Controller;
import io.qube.controller.api.ControllerQueue;
import io.qube.controller.api.EnqueueHandler;
import io.qube.controller.api.Informers;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Kubernetes' clusterrole-aggregation controller: a ClusterRole with {@code aggregationRule.clusterRoleSelectors}
 * gets as its rules the union of the rules of every other ClusterRole a selector matches (selector by selector,
 * matched roles by name, each rule once), rewritten whenever any ClusterRole changes. This is how admin, edit and
 * view grow with the {@code aggregate-to-*} roles that CRD installers add.
 */
public final class ClusterRoleAggregationController implements Controller {

    static final String COMPONENT = "clusterrole-aggregation-controller";
    private static final Logger LOG = Logger.getLogger(ClusterRoleAggregationController.class);

    private final KubernetesClient client;
    private final ControllerQueue queue;
    private SharedIndexInformer<ClusterRole> roles;

    public ClusterRoleAggregationController(KubernetesClient client, int workers) {
        this.client = client;
        this.queue = new ControllerQueue(COMPONENT, workers);
    }

    @Override
    public void start(Informers informers) {
        roles = informers.of(ClusterRole.class);
        // Any role may be selected by any aggregated one, so every change revisits all aggregated roles.
        roles.addEventHandler(new EnqueueHandler<>(changed -> enqueueAggregated()));
        informers.awaitSynced();
        queue.start(this::sync);
        enqueueAggregated();
    }

    private void enqueueAggregated() {
        for (ClusterRole role : roles.getIndexer().list()) {
            if (role.getAggregationRule() != null) {
                queue.addKeyOf(role);
            }
        }
    }

    WorkQueue.Outcome sync(String name) {
        ClusterRole role = roles.getIndexer().getByKey(name);
        if (role == null || role.getAggregationRule() == null) {
            return WorkQueue.Outcome.DONE;
        }
        List<PolicyRule> rules = aggregatedRules(role, roles.getIndexer().list());
        if (Objects.equals(rules, role.getRules() == null ? List.of() : role.getRules())) {
            return WorkQueue.Outcome.DONE;
        }
        try {
            client.rbac().clusterRoles().withName(name).edit(current -> {
                current.setRules(rules);
                return current;
            });
            return WorkQueue.Outcome.DONE;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return WorkQueue.Outcome.DONE; // deleted meanwhile
            }
            LOG.debugf("aggregating cluster role %s: %s", name, e.getMessage());
            return WorkQueue.Outcome.FAILED;
        }
    }

    /** The union, in Kubernetes' order, of the rules of the roles the aggregated role's selectors match. */
    static List<PolicyRule> aggregatedRules(ClusterRole aggregated, List<ClusterRole> all) {
        List<ClusterRole> byName = new ArrayList<>(all);
        byName.sort(Comparator.comparing(role -> role.getMetadata().getName()));
        List<PolicyRule> rules = new ArrayList<>();
        for (LabelSelector selector : aggregated.getAggregationRule().getClusterRoleSelectors()) {
            for (ClusterRole role : byName) {
                if (role.getMetadata().getName().equals(aggregated.getMetadata().getName())
                        || !Selectors.matches(selector, role.getMetadata().getLabels())) {
                    continue;
                }
                for (PolicyRule rule : role.getRules() == null ? List.<PolicyRule>of() : role.getRules()) {
                    if (!rules.contains(rule)) {
                        rules.add(rule);
                    }
                }
            }
        }
        return rules;
    }

    @Override
    public void close() {
        queue.close();
    }
}
