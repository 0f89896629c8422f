package io.qube.authorization;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's RBAC objects at one moment, and what they grant. A user gets the rules of the ClusterRoles their
 * ClusterRoleBindings name, everywhere, plus in a namespace the rules of the roles that namespace's RoleBindings
 * name (a Role there, or a ClusterRole). RBAC only ever allows; a request no rule covers has no opinion, which
 * without another authorizer means denied.
 */
public final class RbacPolicy {

    private static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    private final Map<String, Role> roles = new HashMap<>();
    private final Map<String, ClusterRole> clusterRoles = new HashMap<>();
    private final List<RoleBinding> roleBindings;
    private final List<ClusterRoleBinding> clusterRoleBindings;

    public RbacPolicy(List<Role> roles, List<ClusterRole> clusterRoles, List<RoleBinding> roleBindings,
                      List<ClusterRoleBinding> clusterRoleBindings) {
        roles.forEach(role -> this.roles.put(role.getMetadata().getNamespace() + "/" + role.getMetadata().getName(),
                role));
        clusterRoles.forEach(role -> this.clusterRoles.put(role.getMetadata().getName(), role));
        this.roleBindings = List.copyOf(roleBindings);
        this.clusterRoleBindings = List.copyOf(clusterRoleBindings);
    }

    /** The decision for one request, and which binding allowed it. */
    public record Decision(boolean allowed, String reason) {
    }

    /** The rules granted to the user in a namespace ("" for cluster-wide only), and roles that could not be read. */
    public record Grants(List<PolicyRule> rules, List<String> errors) {
    }

    /** kube-apiserver's authorizers in order: members of system:masters may do anything, then RBAC. */
    public Decision authorize(UserInfo user, Attributes request) {
        if (user.groups().contains(UserInfo.MASTERS)) {
            return new Decision(true, "");
        }
        for (ClusterRoleBinding binding : clusterRoleBindings) {
            Subject subject = boundSubject(binding.getSubjects(), user, "");
            if (subject != null && allows(rulesOf(binding.getRoleRef(), "", null), request)) {
                return new Decision(true, because("ClusterRoleBinding", binding.getMetadata().getName(),
                        binding.getRoleRef(), subject));
            }
        }
        if (request.namespace().isEmpty()) {
            return new Decision(false, "");
        }
        for (RoleBinding binding : roleBindings) {
            String namespace = binding.getMetadata().getNamespace();
            if (!request.namespace().equals(namespace)) {
                continue;
            }
            Subject subject = boundSubject(binding.getSubjects(), user, namespace);
            if (subject != null && allows(rulesOf(binding.getRoleRef(), namespace, null), request)) {
                return new Decision(true, because("RoleBinding", namespace + "/" + binding.getMetadata().getName(),
                        binding.getRoleRef(), subject));
            }
        }
        return new Decision(false, "");
    }

    /** Every rule bound to the user that applies in the namespace, as a SelfSubjectRulesReview lists them. */
    public Grants rulesFor(UserInfo user, String namespace) {
        List<PolicyRule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (ClusterRoleBinding binding : clusterRoleBindings) {
            if (boundSubject(binding.getSubjects(), user, "") != null) {
                rules.addAll(rulesOf(binding.getRoleRef(), "", errors));
            }
        }
        if (!namespace.isEmpty()) {
            for (RoleBinding binding : roleBindings) {
                if (namespace.equals(binding.getMetadata().getNamespace())
                        && boundSubject(binding.getSubjects(), user, namespace) != null) {
                    rules.addAll(rulesOf(binding.getRoleRef(), namespace, errors));
                }
            }
        }
        return new Grants(rules, errors);
    }

    private static boolean allows(List<PolicyRule> rules, Attributes request) {
        for (PolicyRule rule : rules) {
            if (PolicyRules.allows(rule, request)) {
                return true;
            }
        }
        return false;
    }

    /** @param errors where a reference to a missing role is reported, or null to ignore it */
    private List<PolicyRule> rulesOf(RoleRef ref, String namespace, List<String> errors) {
        List<PolicyRule> rules = null;
        if ("ClusterRole".equals(ref.getKind())) {
            ClusterRole role = clusterRoles.get(ref.getName());
            rules = role == null ? null : role.getRules();
        } else if ("Role".equals(ref.getKind()) && !namespace.isEmpty()) {
            Role role = roles.get(namespace + "/" + ref.getName());
            rules = role == null ? null : role.getRules();
        }
        if (rules == null) {
            if (errors != null) {
                errors.add(ref.getKind().toLowerCase(java.util.Locale.ROOT) + ".rbac.authorization.k8s.io \""
                        + ref.getName() + "\" not found");
            }
            return List.of();
        }
        return rules;
    }

    /**
     * The first subject that is this user, or null.
     *
     * @param namespace the binding's namespace, which a service account subject without one is in ("" for a
     *                  ClusterRoleBinding)
     */
    private static Subject boundSubject(List<Subject> subjects, UserInfo user, String namespace) {
        for (Subject subject : subjects == null ? List.<Subject>of() : subjects) {
            if (isUser(subject, user, namespace)) {
                return subject;
            }
        }
        return null;
    }

    private static boolean isUser(Subject subject, UserInfo user, String namespace) {
        String name = subject.getName();
        return switch (subject.getKind() == null ? "" : subject.getKind()) {
            case "User" -> rbacGroup(subject) && user.name().equals(name);
            case "Group" -> rbacGroup(subject) && user.groups().contains(name);
            case "ServiceAccount" -> {
                String[] account = UserInfo.serviceAccount(user.name());
                String accountNamespace = subject.getNamespace() == null || subject.getNamespace().isEmpty()
                        ? namespace : subject.getNamespace();
                yield account != null && account[0].equals(accountNamespace) && account[1].equals(name);
            }
            default -> false;
        };
    }

    private static boolean rbacGroup(Subject subject) {
        return subject.getApiGroup() == null || subject.getApiGroup().isEmpty()
                || RBAC_GROUP.equals(subject.getApiGroup());
    }

    /** Kubernetes' wording: RBAC: allowed by RoleBinding "ns/name" of Role "reader" to User "jane". */
    private static String because(String bindingKind, String bindingName, RoleRef ref, Subject subject) {
        String who = "ServiceAccount".equals(subject.getKind()) && subject.getNamespace() != null
                && !subject.getNamespace().isEmpty()
                ? subject.getNamespace() + "/" + subject.getName() : subject.getName();
        return "RBAC: allowed by " + bindingKind + " \"" + bindingName + "\" of " + ref.getKind() + " \""
                + ref.getName() + "\" to " + subject.getKind() + " \"" + who + "\"";
    }
}
