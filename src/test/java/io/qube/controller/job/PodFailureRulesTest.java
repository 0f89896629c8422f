package io.qube.controller.job;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which podFailurePolicy rule a failed pod matches, with Kubernetes' messages. The policy of every row: rule 0
 * FailJob on exit codes In [42] of container "main"; rule 1 Ignore on condition DisruptionTarget=True; rule 2
 * Count on exit codes NotIn [1, 2] of any container.
 */
class PodFailureRulesTest {

    private static final PodFailurePolicy POLICY = new PodFailurePolicyBuilder()
            .addNewRule().withAction("FailJob").withNewOnExitCodes().withContainerName("main").withOperator("In")
            .withValues(42).endOnExitCodes().endRule()
            .addNewRule().withAction("Ignore").addNewOnPodCondition().withType("DisruptionTarget").withStatus("True")
            .endOnPodCondition().endRule()
            .addNewRule().withAction("Count").withNewOnExitCodes().withOperator("NotIn").withValues(1, 2)
            .endOnExitCodes().endRule()
            .build();

    /**
     * @param containers "name=exitCode" of terminated containers ("name=running" for one still running), init
     *                   containers prefixed "init:"
     */
    @ParameterizedTest(name = "{0} {1} {2} → {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            Failed    | main=42                 | -                     | FailJob | Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 0
            Failed    | side=42                 | -                     | Count   | Container side for pod ns/p failed with exit code 42 matching Count rule at index 2
            Failed    | main=1                  | -                     | -       | -
            Failed    | main=1                  | DisruptionTarget=True | Ignore  | Pod ns/p has condition DisruptionTarget matching Ignore rule at index 1
            Failed    | main=1                  | DisruptionTarget=False | -      | -
            Failed    | main=0,side=42          | -                     | Count   | Container side for pod ns/p failed with exit code 42 matching Count rule at index 2
            Failed    | main=running            | -                     | -       | -
            Failed    | init:setup=42,main=running | -                  | Count   | Container setup for pod ns/p failed with exit code 42 matching Count rule at index 2
            Failed    | main=42                 | DisruptionTarget=True | FailJob | Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 0
            Succeeded | main=0                  | -                     | -       | -
            Running   | main=42                 | -                     | -       | -
            """)
    void theFirstMatchingRuleDecides(String phase, String containers, String condition, String action,
                                     String message) {
        PodFailureRules.Match match = PodFailureRules.match(POLICY, pod(phase, containers, condition));

        if (action == null) {
            assertThat(match).isNull();
            assertThat(PodFailureRules.counts(match)).isTrue();
        } else {
            assertThat(match).isEqualTo(new PodFailureRules.Match(action, message));
            assertThat(PodFailureRules.counts(match)).isEqualTo(!action.equals("Ignore"));
        }
    }

    private static Pod pod(String phase, String containers, String condition) {
        List<ContainerStatus> regular = new ArrayList<>();
        List<ContainerStatus> init = new ArrayList<>();
        for (String container : containers.split(",")) {
            String[] parts = container.split("=");
            String name = parts[0].replace("init:", "");
            ContainerStatusBuilder status = new ContainerStatusBuilder().withName(name);
            if (parts[1].equals("running")) {
                status.withNewState().withNewRunning().endRunning().endState();
            } else {
                status.withNewState().withNewTerminated().withExitCode(Integer.valueOf(parts[1])).endTerminated()
                        .endState();
            }
            (parts[0].startsWith("init:") ? init : regular).add(status.build());
        }
        PodBuilder pod = new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata()
                .withNewStatus().withPhase(phase).withContainerStatuses(regular).withInitContainerStatuses(init)
                .endStatus();
        if (condition != null) {
            String[] parts = condition.split("=");
            pod.editStatus().addToConditions(new PodConditionBuilder().withType(parts[0]).withStatus(parts[1]).build())
                    .endStatus();
        }
        return pod.build();
    }
}
