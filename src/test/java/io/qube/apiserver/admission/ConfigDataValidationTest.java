package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.qube.apiserver.registry.FieldErrors.Cause;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.qube.apiserver.admission.Admission.copy;
import static io.qube.apiserver.admission.Admission.create;
import static io.qube.apiserver.admission.Admission.read;
import static io.qube.apiserver.admission.Admission.reasonsAndFields;
import static io.qube.apiserver.admission.Admission.update;
import static io.qube.apiserver.admission.Manifests.namespaced;
import static org.assertj.core.api.Assertions.assertThat;

/** ConfigMaps and Secrets: keys, size limits, type rules and immutability, with Kubernetes' paths and reasons. */
class ConfigDataValidationTest {

    @Test
    void keysMustBeUsableAsFileNames() {
        ConfigMap configMap = configMap("""
                data: {"bad key": x, "..": y, "..hidden": z, ok.conf: w}
                """);

        assertThat(create(configMap)).containsExactly(
                new Cause("FieldValueInvalid", "Invalid value: \"bad key\": a valid config key must consist of "
                        + "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
                        + "regex used for validation is '[-._a-zA-Z0-9]+')", "data[bad key]"),
                new Cause("FieldValueInvalid", "Invalid value: \"..\": must not be '..'", "data[..]"),
                new Cause("FieldValueInvalid", "Invalid value: \"..hidden\": must not start with '..'", "data[..hidden]"));
    }

    @Test
    void aKeyMayNotBeBothTextAndBinary() {
        assertThat(create(configMap("""
                data: {logo: text}
                binaryData: {logo: aGk=}
                """))).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"logo\": duplicate of key present in binaryData", "data[logo]"));
    }

    @Test
    void aConfigMapHoldsAtMostOneMebibyte() {
        ConfigMap configMap = configMap("data: {}");
        configMap.setData(Map.of("a", "x".repeat(600 * 1024), "b", "y".repeat(600 * 1024)));

        assertThat(create(configMap)).containsExactly(
                new Cause("FieldValueTooLong", "Too long: must have at most 1048576 bytes", ""));
    }

    @Test
    void anImmutableConfigMapKeepsItsDataAndStaysImmutable() {
        ConfigMap old = configMap("""
                immutable: true
                data: {mode: fast}
                """);
        assertThat(create(old)).isEmpty();
        ConfigMap changed = copy(old);
        changed.setData(Map.of("mode", "slow"));
        ConfigMap thawed = copy(old);
        thawed.setImmutable(false);
        ConfigMap relabelled = copy(old);
        relabelled.getMetadata().setLabels(Map.of("team", "a"));

        assertThat(update(changed, old)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: field is immutable when `immutable` is set", "data"));
        assertThat(reasonsAndFields(update(thawed, old))).containsExactly("FieldValueForbidden immutable");
        assertThat(update(relabelled, old)).isEmpty();
    }

    @Test
    void wellKnownSecretTypesNeedTheirKeys() {
        assertThat(create(secret("type: kubernetes.io/tls\ndata: {}"))).containsExactly(
                new Cause("FieldValueRequired", "Required value", "data[tls.crt]"),
                new Cause("FieldValueRequired", "Required value", "data[tls.key]"));
        assertThat(reasonsAndFields(create(secret("type: kubernetes.io/basic-auth\ndata: {}"))))
                .containsExactly("FieldValueRequired data[username]", "FieldValueRequired data[password]");
        assertThat(create(secret("type: kubernetes.io/basic-auth\nstringData: {username: admin}"))).isEmpty();
        assertThat(reasonsAndFields(create(secret("type: kubernetes.io/service-account-token"))))
                .containsExactly("FieldValueRequired metadata.annotations[kubernetes.io/service-account.name]");
        assertThat(create(secret("type: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: '{\"auths\"'}")))
                .singleElement().satisfies(cause -> {
                    assertThat(cause.field()).isEqualTo("data[.dockerconfigjson]");
                    assertThat(cause.message()).startsWith("Invalid value: \"<secret contents redacted>\": ");
                });
        assertThat(create(secret("type: example.com/custom\ndata: {anything: eA==}"))).isEmpty();
    }

    @Test
    void secretDataMustBeBase64AndAtMostOneMebibyteDecoded() {
        assertThat(create(secret("data: {key: '!!not base64!!'}"))).containsExactly(new Cause("FieldValueInvalid",
                "Invalid value: \"<secret contents redacted>\": illegal base64 data", "data[key]"));

        Secret big = secret("data: {}");
        Map<String, String> data = new LinkedHashMap<>();
        data.put("a", Base64.getEncoder().encodeToString(new byte[600 * 1024]));
        data.put("b", Base64.getEncoder().encodeToString(new byte[600 * 1024]));
        big.setData(data);
        assertThat(create(big)).containsExactly(
                new Cause("FieldValueTooLong", "Too long: must have at most 1048576 bytes", "data"));
    }

    @Test
    void aSecretKeepsItsTypeAndAnImmutableOneItsData() {
        Secret old = secret("immutable: true\nstringData: {password: s3cr3t}");
        assertThat(create(old)).isEmpty();
        Secret retyped = copy(old);
        retyped.setType("kubernetes.io/basic-auth");
        Secret changed = copy(old);
        changed.setStringData(Map.of("password", "n3w"));

        assertThat(update(retyped, old)).contains(new Cause("FieldValueInvalid",
                "Invalid value: \"kubernetes.io/basic-auth\": field is immutable", "type"));
        assertThat(update(changed, old)).containsExactly(new Cause("FieldValueForbidden",
                "Forbidden: field is immutable when `immutable` is set", "data"));
    }

    private static ConfigMap configMap(String body) {
        return read(namespaced(ConfigMap.class, "settings", body), ConfigMap.class);
    }

    private static Secret secret(String body) {
        return read(namespaced(Secret.class, "creds", body), Secret.class);
    }
}
