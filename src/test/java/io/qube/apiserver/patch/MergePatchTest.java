package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.patch.PatchFixtures.MERGE_PATCH;
import static io.qube.apiserver.patch.PatchFixtures.at;
import static io.qube.apiserver.patch.PatchFixtures.deployment;
import static io.qube.apiserver.patch.PatchFixtures.deploymentWith;
import static io.qube.apiserver.patch.PatchFixtures.failure;
import static io.qube.apiserver.patch.PatchFixtures.json;
import static io.qube.apiserver.patch.PatchFixtures.patch;
import static org.assertj.core.api.Assertions.assertThat;

class MergePatchTest {

    private static ObjectNode merge(ObjectNode current, String body) {
        return patch(MERGE_PATCH, current, body, Deployment.class);
    }

    @Test
    void kubectlLabelAddsAndOverwritesLabels() {
        // kubectl label deployment web tier=frontend app=store --overwrite
        ObjectNode patched = merge(deployment(), "{\"metadata\":{\"labels\":{\"app\":\"store\",\"tier\":\"frontend\"}}}");

        assertThat(patched).isEqualTo(deploymentWith(expected ->
                at(expected, "/metadata/labels").put("app", "store").put("tier", "frontend")));
    }

    @Test
    void kubectlLabelWithADashRemovesTheLabel() {
        // kubectl label deployment web app-
        ObjectNode patched = merge(deployment(), "{\"metadata\":{\"labels\":{\"app\":null}}}");

        assertThat(patched).isEqualTo(deploymentWith(expected -> at(expected, "/metadata/labels").remove("app")));
    }

    @Test
    void kubectlAnnotateAddsAnAnnotationNextToTheOthers() {
        ObjectNode patched = merge(deployment(),
                "{\"metadata\":{\"annotations\":{\"team\":\"payments\"},\"resourceVersion\":\"41\"}}");

        assertThat(patched).isEqualTo(deploymentWith(expected ->
                at(expected, "/metadata/annotations").put("team", "payments")));
    }

    @Test
    void scaleSetsReplicas() {
        ObjectNode patched = merge(deployment(), "{\"spec\":{\"replicas\":5}}");

        assertThat(patched).isEqualTo(deploymentWith(expected -> at(expected, "/spec").put("replicas", 5)));
    }

    @Test
    void listsAreReplacedWholeAndNullsInNewObjectsVanish() {
        ObjectNode patched = merge(deployment(), """
                {"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}],
                   "securityContext":{"runAsNonRoot":true,"runAsUser":null}}}}}
                """);

        assertThat(patched).isEqualTo(deploymentWith(expected -> {
            at(expected, "/spec/template/spec").set("containers",
                    json("{\"c\":[{\"name\":\"app\",\"image\":\"nginx:1.27\"}]}").get("c"));
            at(expected, "/spec/template/spec").putObject("securityContext").put("runAsNonRoot", true);
        }));
    }

    @Test
    void aBodyThatIsNotAnObjectIsABadRequest() {
        assertThat(failure(() -> merge(deployment(), "[{\"op\":\"add\"}]"), 400, "BadRequest").getMessage())
                .isEqualTo("a merge patch must be a JSON object, not array");
        assertThat(failure(() -> merge(deployment(), "{\"metadata\":{\"labels\":{\"app\":}}}"), 400, "BadRequest")
                .getMessage()).startsWith("error decoding patch: Unexpected character ('}' (code 125))")
                .endsWith("(line 1, column 30)");
    }
}
