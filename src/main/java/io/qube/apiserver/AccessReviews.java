package io.qube.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.codec.WellTyped;
import io.qube.apiserver.registry.FieldErrors;
import io.qube.apiserver.registry.ResourceDefinition;
import io.qube.authorization.Attributes;
import io.qube.authorization.RbacPolicy;
import io.qube.authorization.UserInfo;
import io.qube.store.ListRequest;
import io.qube.store.ObjectStore;
import io.qube.store.ResourceType;
import io.qube.store.StoredObject;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * authorization.k8s.io's reviews, answered from the RBAC objects as stored: SelfSubjectAccessReview ("may I?",
 * what {@code kubectl auth can-i} asks), SelfSubjectRulesReview ({@code kubectl auth can-i --list}) and
 * SubjectAccessReview (may this user?). Qube authenticates no one yet, so the one asking is whom the request
 * impersonates ({@code Impersonate-User}/{@code Impersonate-Group}, what {@code kubectl --as} sends), else the
 * kubeconfig's implicit admin: user system:admin in system:masters.
 */
final class AccessReviews {

    static final String GROUP = "authorization.k8s.io";
    static final UserInfo ADMIN = new UserInfo("system:admin", List.of(UserInfo.MASTERS, UserInfo.AUTHENTICATED));
    private static final String RBAC = "rbac.authorization.k8s.io";

    private final ObjectStore store;

    AccessReviews(ObjectStore store) {
        this.store = store;
    }

    static boolean answers(ResourceDefinition<?> definition) {
        return definition.group().equals(GROUP);
    }

    /** Who the request is made as: the impersonated user, else the implicit admin. */
    static UserInfo requester(RoutingContext context) {
        String user = context.request().getHeader("Impersonate-User");
        if (user == null || user.isEmpty()) {
            return ADMIN;
        }
        return UserInfo.impersonated(user, context.request().headers().getAll("Impersonate-Group"));
    }

    /**
     * The review with its status filled in, as a create returns it.
     *
     * @param review the request's body, already known to be of this kind (or to name none)
     */
    Uni<ObjectNode> review(ResourceDefinition<?> definition, ObjectNode review, UserInfo requester) {
        // A field of the wrong type is a 400 naming it, before anything below reads the tree.
        WellTyped.check(review, definition.type(), definition.kind(), definition.apiVersion());
        review.put("apiVersion", definition.apiVersion()).put("kind", definition.kind());
        ObjectNode spec = review.withObjectProperty("spec");
        UserInfo subject = switch (definition.kind()) {
            case "SubjectAccessReview" -> subjectOf(spec, definition);
            default -> requester;
        };
        if (definition.kind().equals("SelfSubjectRulesReview")) {
            String namespace = spec.path("namespace").asText("");
            if (namespace.isEmpty()) {
                throw ApiException.badRequest("no namespace on request");
            }
            return policy().map(policy -> {
                review.set("status", rules(policy.rulesFor(subject, namespace)));
                return review;
            });
        }
        Attributes attributes = attributes(spec, definition);
        return policy().map(policy -> {
            RbacPolicy.Decision decision = policy.authorize(subject, attributes);
            ObjectNode status = review.putObject("status").put("allowed", decision.allowed());
            if (!decision.reason().isEmpty()) {
                status.put("reason", decision.reason());
            }
            return review;
        });
    }

    private static UserInfo subjectOf(ObjectNode spec, ResourceDefinition<?> definition) {
        String user = spec.path("user").asText("");
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(group -> groups.add(group.asText()));
        if (user.isEmpty() && groups.isEmpty()) {
            throw ApiException.invalid(GROUP, definition.kind(), "", new FieldErrors().invalid("spec.user", user,
                    "at least one of user or group must be specified"));
        }
        return new UserInfo(user, groups);
    }

    private static Attributes attributes(ObjectNode spec, ResourceDefinition<?> definition) {
        JsonNode resource = spec.path("resourceAttributes");
        JsonNode nonResource = spec.path("nonResourceAttributes");
        if (resource.isObject() == nonResource.isObject()) {
            FieldErrors errors = new FieldErrors();
            if (resource.isObject()) {
                errors.invalid("spec.nonResourceAttributes", nonResource.toString(),
                        "cannot be specified in combination with resourceAttributes");
            } else {
                errors.invalid("spec.resourceAttributes", "null",
                        "exactly one of nonResourceAttributes or resourceAttributes must be specified");
            }
            throw ApiException.invalid(GROUP, definition.kind(), "", errors);
        }
        if (nonResource.isObject()) {
            return Attributes.nonResource(nonResource.path("verb").asText(""), nonResource.path("path").asText(""));
        }
        return Attributes.resource(resource.path("verb").asText(""), resource.path("namespace").asText(""),
                resource.path("group").asText(""), resource.path("resource").asText(""),
                resource.path("subresource").asText(""), resource.path("name").asText(""));
    }

    /** A SubjectRulesReviewStatus: resource rules, then non-resource rules, each with only the fields set. */
    private static ObjectNode rules(RbacPolicy.Grants grants) {
        ObjectNode status = Json.MAPPER.createObjectNode();
        ArrayNode resourceRules = status.putArray("resourceRules");
        ArrayNode nonResourceRules = status.putArray("nonResourceRules");
        for (PolicyRule rule : grants.rules()) {
            ObjectNode converted = Json.MAPPER.valueToTree(rule);
            if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
                nonResourceRules.addObject().setAll(converted.retain("verbs", "nonResourceURLs"));
            } else {
                resourceRules.addObject().setAll(converted.retain("verbs", "apiGroups", "resources",
                        "resourceNames"));
            }
        }
        status.put("incomplete", !grants.errors().isEmpty());
        if (!grants.errors().isEmpty()) {
            status.put("evaluationError", String.join(", ", grants.errors()));
        }
        return status;
    }

    /** The RBAC objects now, from the store's cache. */
    private Uni<RbacPolicy> policy() {
        return Uni.combine().all().unis(all("roles", Role.class), all("clusterroles", ClusterRole.class),
                        all("rolebindings", RoleBinding.class), all("clusterrolebindings", ClusterRoleBinding.class))
                .with(RbacPolicy::new);
    }

    private <T extends HasMetadata> Uni<List<T>> all(String plural, Class<T> type) {
        return store.listCached(ListRequest.all(new ResourceType(RBAC, plural)), false)
                .map(page -> page.items().stream().map(stored -> parse(stored, type)).toList());
    }

    private static <T> T parse(StoredObject stored, Class<T> type) {
        return Json.MAPPER.convertValue(StoredTrees.parse(stored), type);
    }
}
