package io.qube.authorization;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** One rule against one request, case by case, as Kubernetes' RBAC rule matching decides it. */
class PolicyRulesTest {

    private static final PolicyRule READ_PODS = resources(List.of("get", "list"), List.of(""), List.of("pods"));
    private static final PolicyRule ANY_SCALE = resources(List.of("update"), List.of("*"), List.of("*/scale"));
    private static final PolicyRule ONE_CONFIG_MAP = new PolicyRuleBuilder().withVerbs("get").withApiGroups("")
            .withResources("configmaps").withResourceNames("settings").build();
    private static final PolicyRule EVERYTHING = resources(List.of("*"), List.of("*"), List.of("*"));
    private static final PolicyRule HEALTH = urls(List.of("get"), List.of("/healthz", "/apis/*"));

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("verb listed", READ_PODS, get("pods", ""), true),
                Arguments.of("verb not listed", READ_PODS, resource("delete", "", "pods", "", ""), false),
                Arguments.of("other group", READ_PODS, resource("get", "apps", "pods", "", ""), false),
                Arguments.of("other resource", READ_PODS, get("services", ""), false),
                Arguments.of("a subresource needs naming", READ_PODS, resource("get", "", "pods", "log", ""), false),
                Arguments.of("resource/subresource", resources(List.of("get"), List.of(""), List.of("pods/log")),
                        resource("get", "", "pods", "log", ""), true),
                Arguments.of("*/subresource matches any resource's", ANY_SCALE,
                        resource("update", "apps", "deployments", "scale", ""), true),
                Arguments.of("*/subresource is not the resource", ANY_SCALE,
                        resource("update", "apps", "deployments", "", ""), false),
                Arguments.of("* matches subresources too", EVERYTHING, resource("create", "", "pods", "exec", "x"),
                        true),
                Arguments.of("named object", ONE_CONFIG_MAP, get("configmaps", "settings"), true),
                Arguments.of("other name", ONE_CONFIG_MAP, get("configmaps", "secrets"), false),
                Arguments.of("names never match a list", ONE_CONFIG_MAP, get("configmaps", ""), false),
                Arguments.of("resource rules ignore URLs", EVERYTHING, Attributes.nonResource("get", "/healthz"),
                        false),
                Arguments.of("exact URL", HEALTH, Attributes.nonResource("get", "/healthz"), true),
                Arguments.of("URL prefix with *", HEALTH, Attributes.nonResource("get", "/apis/apps/v1"), true),
                Arguments.of("URL without * is exact", HEALTH, Attributes.nonResource("get", "/healthz/etcd"), false),
                Arguments.of("URL rules ignore resources", HEALTH, get("pods", ""), false),
                Arguments.of("URL verb", HEALTH, Attributes.nonResource("post", "/healthz"), false),
                Arguments.of("* URL", urls(List.of("*"), List.of("*")), Attributes.nonResource("post", "/x"), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ruleMatching(String name, PolicyRule rule, Attributes request, boolean allowed) {
        assertThat(PolicyRules.allows(rule, request)).isEqualTo(allowed);
    }

    private static Attributes get(String resource, String name) {
        return resource("get", "", resource, "", name);
    }

    private static Attributes resource(String verb, String group, String resource, String subresource, String name) {
        return Attributes.resource(verb, "team", group, resource, subresource, name);
    }

    private static PolicyRule resources(List<String> verbs, List<String> groups, List<String> resources) {
        return new PolicyRuleBuilder().withVerbs(verbs).withApiGroups(groups).withResources(resources).build();
    }

    private static PolicyRule urls(List<String> verbs, List<String> urls) {
        return new PolicyRuleBuilder().withVerbs(verbs).withNonResourceURLs(urls).build();
    }
}
