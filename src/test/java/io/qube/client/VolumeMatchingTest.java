package io.qube.client;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The binding decision of the persistentvolume controller, table by table: which of a set of volumes a claim binds
 * (class, access modes, size and smallest fit, selector, volumeMode, phase, pre-binding both ways, WaitForFirstConsumer)
 * and why a volume named by a claim's spec.volumeName does not fit it; and the scheduler's question of the same rules
 * for one node (node affinity, volumes other claims took, a pre-bound volume out of reach).
 */
class VolumeMatchingTest {

    private static final String CLAIM_UID = "claim-uid";
    private static final String HOSTNAME = "kubernetes.io/hostname";

    record Case(String name, PersistentVolumeClaim claim, List<PersistentVolume> volumes, boolean delayBinding,
                String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> matches() {
        return Stream.of(
                // Class.
                new Case("no class binds a volume without class", claim("1Gi"),
                        List.of(volume("a", "1Gi"), volume("b", "1Gi", v -> v.editSpec().withStorageClassName("fast")
                                .endSpec())), false, "a"),
                new Case("a class binds only a volume of that class", claim("1Gi", c -> c.editSpec()
                        .withStorageClassName("fast").endSpec()),
                        List.of(volume("a", "1Gi"), volume("b", "5Gi", v -> v.editSpec().withStorageClassName("fast")
                                .endSpec())), false, "b"),
                new Case("a class finds no volume of another class", claim("1Gi", c -> c.editSpec()
                        .withStorageClassName("fast").endSpec()),
                        List.of(volume("a", "1Gi", v -> v.editSpec().withStorageClassName("slow").endSpec())), false,
                        null),
                new Case("no class finds no volume that has one", claim("1Gi"),
                        List.of(volume("a", "1Gi", v -> v.editSpec().withStorageClassName("slow").endSpec())), false,
                        null),
                new Case("the beta class annotation counts before spec.storageClassName", claim("1Gi", c -> c
                        .editMetadata().addToAnnotations(StorageNames.BETA_STORAGE_CLASS, "old").endMetadata()
                        .editSpec().withStorageClassName("new").endSpec()),
                        List.of(volume("a", "1Gi", v -> v.editSpec().withStorageClassName("new").endSpec()),
                                volume("b", "1Gi", v -> v.editSpec().withStorageClassName("old").endSpec())),
                        false, "b"),
                new Case("a volume's beta class annotation counts too", claim("1Gi", c -> c.editSpec()
                        .withStorageClassName("old").endSpec()),
                        List.of(volume("a", "1Gi", v -> v.editMetadata()
                                .addToAnnotations(StorageNames.BETA_STORAGE_CLASS, "old").endMetadata())), false, "a"),
                // Access modes.
                new Case("a volume with more access modes serves a claim asking fewer",
                        claim("1Gi", modes("ReadWriteOnce")),
                        List.of(volume("a", "1Gi", modes("ReadWriteOnce", "ReadOnlyMany"))), false, "a"),
                new Case("a volume lacking an asked access mode does not",
                        claim("1Gi", modes("ReadWriteMany")),
                        List.of(volume("a", "1Gi", modes("ReadWriteOnce"))), false, null),
                new Case("every asked mode must be offered", claim("1Gi", modes("ReadWriteOnce", "ReadOnlyMany")),
                        List.of(volume("a", "1Gi", modes("ReadWriteOnce")), volume("b", "1Gi", modes("ReadOnlyMany")),
                                volume("c", "9Gi", modes("ReadOnlyMany", "ReadWriteOnce", "ReadWriteMany"))),
                        false, "c"),
                new Case("the group with the fewest modes wins before size",
                        claim("1Gi", modes("ReadWriteOnce")),
                        List.of(volume("big", "10Gi", modes("ReadWriteOnce")),
                                volume("small", "1Gi", modes("ReadWriteOnce", "ReadWriteMany"))), false, "big"),
                new Case("a larger group is tried when the smallest has no fit",
                        claim("5Gi", modes("ReadWriteOnce")),
                        List.of(volume("tiny", "1Gi", modes("ReadWriteOnce")),
                                volume("wide", "5Gi", modes("ReadWriteOnce", "ReadWriteMany"))), false, "wide"),
                new Case("the order of a volume's modes does not matter", claim("1Gi", modes("ReadOnlyMany",
                        "ReadWriteOnce")), List.of(volume("a", "1Gi", modes("ReadWriteOnce", "ReadOnlyMany"))),
                        false, "a"),
                // Size.
                new Case("the smallest volume that fits", claim("3Gi"),
                        List.of(volume("ten", "10Gi"), volume("one", "1Gi"), volume("five", "5Gi"),
                                volume("four", "4Gi")), false, "four"),
                new Case("an exact size fits", claim("5Gi"), List.of(volume("a", "5Gi"), volume("b", "6Gi")),
                        false, "a"),
                new Case("sizes compare across units", claim("1Gi"),
                        List.of(volume("decimal", "1G"), volume("mebi", "1024Mi"), volume("bytes", "1073741825")),
                        false, "mebi"),
                new Case("every volume too small", claim("2Gi"), List.of(volume("a", "1Gi"), volume("b", "2G")),
                        false, null),
                new Case("equal sizes: the first by name", claim("1Gi"), List.of(volume("b", "1Gi"),
                        volume("a", "1Gi")), false, "a"),
                // Selector.
                new Case("matchLabels picks the labelled volume", claim("1Gi", selector("tier", "db")),
                        List.of(volume("plain", "1Gi"), volume("db", "5Gi", label("tier", "db")),
                                volume("web", "1Gi", label("tier", "web"))), false, "db"),
                new Case("matchLabels with no labelled volume", claim("1Gi", selector("tier", "db")),
                        List.of(volume("plain", "1Gi")), false, null),
                new Case("an In expression", claim("1Gi", expression("zone", "In", "a", "b")),
                        List.of(volume("c", "1Gi", label("zone", "c")), volume("b", "2Gi", label("zone", "b"))),
                        false, "b"),
                new Case("a NotIn expression also takes unlabelled volumes", claim("1Gi", expression("zone", "NotIn",
                        "a")), List.of(volume("a", "1Gi", label("zone", "a")), volume("none", "2Gi")), false, "none"),
                new Case("an Exists expression", claim("1Gi", expression("ssd", "Exists")),
                        List.of(volume("hdd", "1Gi"), volume("ssd", "3Gi", label("ssd", "true"))), false, "ssd"),
                new Case("a DoesNotExist expression", claim("1Gi", expression("ssd", "DoesNotExist")),
                        List.of(volume("ssd", "1Gi", label("ssd", "true")), volume("hdd", "3Gi")), false, "hdd"),
                new Case("labels and expressions together", claim("1Gi", c -> c.editSpec().withSelector(
                        new LabelSelectorBuilder().addToMatchLabels("tier", "db").addToMatchExpressions(
                                new LabelSelectorRequirementBuilder().withKey("zone").withOperator("In")
                                        .withValues("a").build()).build()).endSpec()),
                        List.of(volume("db-b", "1Gi", label("tier", "db"), label("zone", "b")),
                                volume("web-a", "1Gi", label("tier", "web"), label("zone", "a")),
                                volume("db-a", "8Gi", label("tier", "db"), label("zone", "a"))), false, "db-a"),
                new Case("an empty selector selects every volume", claim("1Gi", c -> c.editSpec()
                        .withSelector(new LabelSelectorBuilder().build()).endSpec()),
                        List.of(volume("a", "1Gi", label("x", "y"))), false, "a"),
                // Phase and reservations.
                new Case("only Available volumes", claim("1Gi"),
                        List.of(volume("released", "1Gi", phase("Released")), volume("failed", "1Gi", phase("Failed")),
                                volume("pending", "1Gi", phase("Pending")), volume("available", "9Gi")),
                        false, "available"),
                new Case("a volume bound to another claim is skipped", claim("1Gi"),
                        List.of(volume("taken", "1Gi", claimRef("other", null)), volume("free", "2Gi")), false,
                        "free"),
                new Case("a volume being deleted is skipped", claim("1Gi"),
                        List.of(volume("going", "1Gi", v -> v.editMetadata()
                                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()), volume("b", "2Gi")),
                        false, "b"),
                // Pre-bound volumes.
                new Case("a volume pre-bound to the claim wins over a smaller one", claim("1Gi"),
                        List.of(volume("small", "1Gi"), volume("mine", "9Gi", claimRef("data", null))), false, "mine"),
                new Case("pre-bound by name and uid", claim("1Gi"),
                        List.of(volume("small", "1Gi"), volume("mine", "9Gi", claimRef("data", CLAIM_UID))), false,
                        "mine"),
                new Case("pre-bound to an earlier claim of the same name (other uid) is skipped", claim("1Gi"),
                        List.of(volume("old", "1Gi", claimRef("data", "another-uid"))), false, null),
                new Case("pre-bound ignores phase, class and selector", claim("1Gi", c -> c.editSpec()
                        .withStorageClassName("fast").endSpec().editSpec().withSelector(new LabelSelectorBuilder()
                                .addToMatchLabels("tier", "db").build()).endSpec()),
                        List.of(volume("mine", "1Gi", claimRef("data", null), phase("Bound"))), false, "mine"),
                new Case("pre-bound still needs the size", claim("5Gi"),
                        List.of(volume("mine", "1Gi", claimRef("data", null))), false, null),
                new Case("pre-bound still needs the access modes", claim("1Gi", modes("ReadWriteMany")),
                        List.of(volume("mine", "1Gi", claimRef("data", null))), false, null),
                new Case("pre-bound in another namespace is someone else's", claim("1Gi"),
                        List.of(volume("theirs", "1Gi", v -> v.editSpec().withNewClaimRef().withName("data")
                                .withNamespace("elsewhere").endClaimRef().endSpec())), false, null),
                // Volume mode.
                new Case("a Block claim needs a Block volume", claim("1Gi", c -> c.editSpec().withVolumeMode("Block")
                        .endSpec()), List.of(volume("fs", "1Gi"), volume("block", "5Gi", v -> v.editSpec()
                        .withVolumeMode("Block").endSpec())), false, "block"),
                new Case("no volumeMode means Filesystem on both sides", claim("1Gi", c -> c.editSpec()
                        .withVolumeMode("Filesystem").endSpec()), List.of(volume("unset", "1Gi")), false, "unset"),
                new Case("a Filesystem claim skips Block volumes", claim("1Gi"), List.of(volume("block", "1Gi",
                        v -> v.editSpec().withVolumeMode("Block").endSpec())), false, null),
                new Case("a pre-bound volume of the wrong volumeMode is not taken", claim("1Gi"),
                        List.of(volume("mine", "1Gi", claimRef("data", null), v -> v.editSpec()
                                .withVolumeMode("Block").endSpec())), false, null),
                // Volume attributes class.
                new Case("the volume attributes class must match", claim("1Gi", c -> c.editSpec()
                        .withVolumeAttributesClassName("gold").endSpec()),
                        List.of(volume("plain", "1Gi"), volume("gold", "2Gi", v -> v.editSpec()
                                .withVolumeAttributesClassName("gold").endSpec())), false, "gold"),
                // WaitForFirstConsumer.
                new Case("delayed binding takes no unreserved volume", claim("1Gi"), List.of(volume("a", "1Gi")),
                        true, null),
                new Case("delayed binding still takes the volume pre-bound to the claim", claim("1Gi"),
                        List.of(volume("a", "1Gi"), volume("mine", "2Gi", claimRef("data", null))), true, "mine"),
                new Case("no volumes at all", claim("1Gi"), List.of(), false, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matches")
    void findsTheVolumeKubernetesWouldBind(Case row) {
        PersistentVolume best = VolumeMatching.findBestMatch(row.claim(), row.volumes(), row.delayBinding());

        assertThat(best == null ? null : best.getMetadata().getName()).isEqualTo(row.expected());
    }

    record NodeCase(String name, List<PersistentVolume> volumes, Set<String> excluded, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The scheduler's question: the same rules, for node n1, with volumes other claims took left out. */
    static Stream<NodeCase> matchesOnANode() {
        return Stream.of(
                new NodeCase("a volume only another node reaches does not count",
                        List.of(volume("a", "1Gi", onNode("n2")), volume("b", "2Gi", onNode("n1"))), Set.of(), "b"),
                new NodeCase("a volume without node affinity is reachable everywhere",
                        List.of(volume("a", "1Gi")), Set.of(), "a"),
                new NodeCase("a pre-bound volume the node cannot reach means no match, even with another fit",
                        List.of(volume("mine", "1Gi", onNode("n2"), claimRef("data", CLAIM_UID)),
                                volume("b", "1Gi", onNode("n1"))), Set.of(), null),
                new NodeCase("a pre-bound volume the node reaches wins",
                        List.of(volume("a", "1Gi"), volume("mine", "2Gi", onNode("n1"), claimRef("data", null))),
                        Set.of(), "mine"),
                new NodeCase("volumes already chosen for other claims are left out",
                        List.of(volume("a", "1Gi"), volume("b", "2Gi")), Set.of("a"), "b"),
                new NodeCase("with a node, a WaitForFirstConsumer claim takes an unreserved volume",
                        List.of(volume("a", "1Gi", onNode("n1"))), Set.of(), "a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matchesOnANode")
    void findsTheVolumeTheSchedulerWouldChoose(NodeCase row) {
        Node node = new NodeBuilder().withNewMetadata().withName("n1").addToLabels(HOSTNAME, "n1").endMetadata()
                .build();

        PersistentVolume best = VolumeMatching.findBestMatch(claim("1Gi"), row.volumes(), node, row.excluded(), true);

        assertThat(best == null ? null : best.getMetadata().getName()).isEqualTo(row.expected());
    }

    static Stream<Arguments> requestedVolumes() {
        return Stream.of(
                Arguments.of("fits", claim("1Gi"), volume("v", "1Gi"), null),
                Arguments.of("selector and phase do not count", claim("1Gi", selector("tier", "db")),
                        volume("v", "1Gi", phase("Released")), null),
                Arguments.of("too small", claim("2Gi"), volume("v", "1Gi"), "requested PV is too small"),
                Arguments.of("other class", claim("1Gi", c -> c.editSpec().withStorageClassName("fast").endSpec()),
                        volume("v", "1Gi"), "storageClassName does not match"),
                Arguments.of("other volumeMode", claim("1Gi"), volume("v", "1Gi", v -> v.editSpec()
                        .withVolumeMode("Block").endSpec()), "incompatible volumeMode"),
                Arguments.of("missing access mode", claim("1Gi", modes("ReadWriteMany")), volume("v", "1Gi"),
                        "incompatible accessMode"),
                Arguments.of("being deleted", claim("1Gi"), volume("v", "1Gi", v -> v.editMetadata()
                        .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata()),
                        "the volume is marked for deletion \"v\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestedVolumes")
    void saysWhyARequestedVolumeDoesNotFit(String name, PersistentVolumeClaim claim, PersistentVolume volume,
                                           String expected) {
        assertThat(VolumeMatching.mismatch(volume, claim)).isEqualTo(expected);
    }

    private static PersistentVolumeClaim claim(String size, UnaryOperator<PersistentVolumeClaimBuilder> edit) {
        return edit.apply(new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withNamespace("ns")
                .withUid(CLAIM_UID).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity(size)).endResources().endSpec()).build();
    }

    private static PersistentVolumeClaim claim(String size) {
        return claim(size, c -> c);
    }

    @SafeVarargs
    private static PersistentVolume volume(String name, String size, UnaryOperator<PersistentVolumeBuilder>... edits) {
        PersistentVolumeBuilder volume = new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").addToCapacity("storage", new Quantity(size))
                .withNewHostPath().withPath("/tmp/" + name).endHostPath().endSpec()
                .withNewStatus().withPhase("Available").endStatus();
        for (UnaryOperator<PersistentVolumeBuilder> edit : edits) {
            volume = edit.apply(volume);
        }
        return volume.build();
    }

    /** Access modes for a claim or a volume (both builders have a spec with accessModes). */
    private static <B> UnaryOperator<B> modes(String... modes) {
        return builder -> {
            if (builder instanceof PersistentVolumeClaimBuilder claim) {
                claim.editSpec().withAccessModes(Arrays.asList(modes)).endSpec();
            } else if (builder instanceof PersistentVolumeBuilder volume) {
                volume.editSpec().withAccessModes(Arrays.asList(modes)).endSpec();
            }
            return builder;
        };
    }

    private static UnaryOperator<PersistentVolumeClaimBuilder> selector(String key, String value) {
        return c -> c.editSpec().withSelector(new LabelSelectorBuilder().addToMatchLabels(key, value).build())
                .endSpec();
    }

    private static UnaryOperator<PersistentVolumeClaimBuilder> expression(String key, String operator,
                                                                          String... values) {
        return c -> c.editSpec().withSelector(new LabelSelectorBuilder().addToMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey(key).withOperator(operator).withValues(values).build())
                .build()).endSpec();
    }

    private static UnaryOperator<PersistentVolumeBuilder> label(String key, String value) {
        return v -> v.editMetadata().addToLabels(key, value).endMetadata();
    }

    private static UnaryOperator<PersistentVolumeBuilder> onNode(String node) {
        return v -> v.editSpec().withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm()
                .addNewMatchExpression().withKey(HOSTNAME).withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec();
    }

    private static UnaryOperator<PersistentVolumeBuilder> phase(String phase) {
        return v -> v.editStatus().withPhase(phase).endStatus();
    }

    private static UnaryOperator<PersistentVolumeBuilder> claimRef(String claim, String uid) {
        return v -> v.editSpec().withNewClaimRef().withKind("PersistentVolumeClaim").withNamespace("ns")
                .withName(claim).withUid(uid).endClaimRef().endSpec();
    }
}
