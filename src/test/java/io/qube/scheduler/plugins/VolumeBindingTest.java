package io.qube.scheduler.plugins;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.qube.client.StorageNames;
import io.qube.client.VolumeMatching;
import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;
import io.qube.scheduler.framework.Status.Code;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.qube.scheduler.plugins.Fixtures.HOSTNAME;
import static io.qube.scheduler.plugins.Fixtures.expr;
import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static io.qube.scheduler.plugins.Fixtures.term;
import static io.qube.scheduler.plugins.StorageFixtures.allowedOn;
import static io.qube.scheduler.plugins.StorageFixtures.bound;
import static io.qube.scheduler.plugins.StorageFixtures.claim;
import static io.qube.scheduler.plugins.StorageFixtures.claimedBy;
import static io.qube.scheduler.plugins.StorageFixtures.ownedBy;
import static io.qube.scheduler.plugins.StorageFixtures.reachableFrom;
import static io.qube.scheduler.plugins.StorageFixtures.storageClass;
import static io.qube.scheduler.plugins.StorageFixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class VolumeBindingTest {

    private static final String WFFC = "WaitForFirstConsumer";
    private static final HasMetadata LOCAL = storageClass("local", "qube.io/local-path", WFFC).build();
    private static final HasMetadata STATIC = storageClass("static", StorageNames.NO_PROVISIONER, WFFC).build();
    private static final HasMetadata IMMEDIATE = storageClass("fast", "qube.io/local-path", "Immediate").build();
    private static final Duration SHORT = Duration.ofMillis(300);

    private static Fixtures.PodMaker withData() {
        return pod("p").claim("data", "data");
    }

    private static TestHandle handle(HasMetadata... storage) {
        return new TestHandle(Fixtures.infos(node("n1").zone("a"), node("n2").zone("b"))).storage(storage);
    }

    /** The pod, its storage objects; PreFilter's code and reason. */
    static Stream<Arguments> preFilterCases() {
        return Stream.of(
                arguments("a pod without volumes", pod("p"), List.of(), Code.SKIP, null),
                arguments("a pod with an emptyDir only", pod("p").emptyDir("tmp"), List.of(), Code.SKIP, null),
                arguments("a missing claim", withData(), List.of(), Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
                        "persistentvolumeclaim \"data\" not found"),
                arguments("an ephemeral volume's claim not made yet", pod("p").ephemeral("scratch"), List.of(),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
                        "waiting for ephemeral volume controller to create the persistentvolumeclaim \"p-scratch\""),
                arguments("an ephemeral volume's claim of another pod", pod("p").ephemeral("scratch"),
                        List.of(LOCAL, ownedBy(claim("p-scratch", "local"), "someone-else")),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
                        "PVC default/p-scratch was not created for pod default/p (pod is not owner)"),
                arguments("a claim being deleted", withData(), List.of(LOCAL, claim("data", "local").editMetadata()
                        .withDeletionTimestamp("2024-01-01T00:00:00Z").endMetadata().build()),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE, "persistentvolumeclaim \"data\" is being deleted"),
                arguments("a lost claim", withData(), List.of(LOCAL, claim("data", "local").editSpec()
                        .withVolumeName("gone").endSpec().editStatus().withPhase("Lost").endStatus().build()),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
                        "persistentvolumeclaim \"data\" bound to non-existent persistentvolume \"gone\""),
                arguments("an unbound claim of an Immediate class", withData(),
                        List.of(IMMEDIATE, claim("data", "fast").build()), Code.UNSCHEDULABLE_AND_UNRESOLVABLE,
                        VolumeBinding.UNBOUND_IMMEDIATE),
                arguments("an unbound claim without a class", withData(), List.of(claim("data", "").build()),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE, VolumeBinding.UNBOUND_IMMEDIATE),
                arguments("an unbound claim of a missing class", withData(), List.of(claim("data", "none").build()),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE, VolumeBinding.UNBOUND_IMMEDIATE),
                arguments("a claim naming its volume, not yet bound by the PV controller", withData(),
                        List.of(LOCAL, claim("data", "local").editSpec().withVolumeName("pv1").endSpec().build()),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE, VolumeBinding.UNBOUND_IMMEDIATE),
                arguments("one immediate claim among bound ones", withData().claim("more", "more"),
                        List.of(LOCAL, IMMEDIATE, bound(claim("data", "local"), "pv1"), claim("more", "fast").build()),
                        Code.UNSCHEDULABLE_AND_UNRESOLVABLE, VolumeBinding.UNBOUND_IMMEDIATE),
                arguments("a bound claim", withData(), List.of(IMMEDIATE, bound(claim("data", "fast"), "pv1")),
                        Code.SUCCESS, null),
                arguments("an unbound WaitForFirstConsumer claim", withData(),
                        List.of(LOCAL, claim("data", "local").build()), Code.SUCCESS, null),
                arguments("an ephemeral volume's own claim", pod("p").ephemeral("scratch"),
                        List.of(LOCAL, ownedBy(claim("p-scratch", "local"), "default-p")), Code.SUCCESS, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("preFilterCases")
    void preFilter(String name, Fixtures.PodMaker pod, List<HasMetadata> storage, Code code, String reason) {
        TestHandle handle = handle(storage.toArray(HasMetadata[]::new));
        Status status = new VolumeBinding(handle, SHORT).preFilter(new CycleState(), pod.info(),
                handle.snapshot().nodes()).status();

        if (reason == null) {
            Cycle.assertStatus(name, status, code);
        } else {
            Cycle.assertStatus(name, status, code, reason);
        }
    }

    /** The pod's storage objects (the pod uses claim "data"); the reasons per node n1 (zone a), n2 (zone b). */
    static Stream<Arguments> filterCases() {
        var onN1 = term(expr(HOSTNAME, "In", "n1"));
        var onN2 = term(expr(HOSTNAME, "In", "n2"));
        List<String> fits = List.of();
        List<String> noVolume = List.of(VolumeBinding.BIND_CONFLICT);
        return Stream.of(
                arguments("a bound volume reachable everywhere", withData(),
                        List.of(LOCAL, bound(claim("data", "local"), "pv1"), volume("pv1", "local", "1Gi").build()),
                        fits, fits),
                arguments("a bound volume only on n2", withData(),
                        List.of(LOCAL, bound(claim("data", "local"), "pv1"),
                        reachableFrom(volume("pv1", "local", "1Gi"), onN2).build()),
                        List.of(VolumeBinding.NODE_CONFLICT), fits),
                arguments("a bound volume that does not exist", withData(),
                        List.of(LOCAL, bound(claim("data", "local"), "pv1")),
                        List.of(VolumeBinding.VOLUME_MISSING), List.of(VolumeBinding.VOLUME_MISSING)),
                arguments("a class that provisions anywhere", withData(),
                        List.of(LOCAL, claim("data", "local").build()),
                        fits, fits),
                arguments("a class that provisions in zone b only", withData(),
                        List.of(allowedOn(storageClass("local",
                        "qube.io/local-path", WFFC), Fixtures.ZONE, "b"), claim("data", "local").build()),
                        noVolume, fits),
                arguments("a class without provisioner and no volume", withData(),
                        List.of(STATIC, claim("data", "static").build()),
                        noVolume, noVolume),
                arguments("a matching static volume on n1", withData(),
                        List.of(STATIC, claim("data", "static").build(),
                        reachableFrom(volume("pv1", "static", "1Gi"), onN1).build()), fits, noVolume),
                arguments("a static volume too small", withData(),
                        List.of(STATIC, claim("data", "static").build(),
                        volume("pv1", "static", "512Mi").build()), noVolume, noVolume),
                arguments("a static volume without the access mode", withData(),
                        List.of(STATIC, claim("data", "static").build(),
                        volume("pv1", "static", "1Gi").editSpec().withAccessModes("ReadOnlyMany").endSpec().build()),
                        noVolume, noVolume),
                arguments("a static volume of another class", withData(),
                        List.of(STATIC, LOCAL, claim("data", "static").build(),
                        volume("pv1", "local", "1Gi").build()), noVolume, noVolume),
                arguments("a static volume claimed by another claim", withData(),
                        List.of(STATIC, claim("data", "static").build(),
                        claimedBy(volume("pv1", "static", "1Gi"), "other", "default-other").build()),
                        noVolume, noVolume),
                arguments("a static volume not Available", withData(),
                        List.of(STATIC, claim("data", "static").build(),
                        volume("pv1", "static", "1Gi").editStatus().withPhase("Released").endStatus().build()),
                        noVolume, noVolume),
                arguments("a static block volume for a filesystem claim", withData(),
                        List.of(STATIC,
                        claim("data", "static").build(),
                        volume("pv1", "static", "1Gi").editSpec().withVolumeMode("Block").endSpec().build()),
                        noVolume, noVolume),
                arguments("a static volume the claim's selector refuses", withData(),
                        List.of(STATIC, claim("data", "static")
                        .editSpec().withNewSelector().addToMatchLabels("tier", "gold").endSelector().endSpec().build(),
                        volume("pv1", "static", "1Gi").build()), noVolume, noVolume),
                arguments("a static volume the claim's selector accepts", withData(),
                        List.of(STATIC, claim("data", "static")
                        .editSpec().withNewSelector().addToMatchLabels("tier", "gold").endSelector().endSpec().build(),
                        volume("pv1", "static", "1Gi").editMetadata().addToLabels("tier", "gold").endMetadata()
                                .build()),
                        fits, fits),
                arguments("a volume pre-bound to the claim on n2 wins over one on n1", withData(),
                        List.of(STATIC,
                        claim("data", "static").build(),
                        reachableFrom(volume("pv1", "static", "1Gi"), onN1).build(),
                        claimedBy(reachableFrom(volume("pv2", "static", "1Gi"), onN2), "data", null).build()),
                        noVolume, fits),
                arguments("a claim whose node was selected already", withData(),
                        List.of(LOCAL, claim("data", "local")
                        .editMetadata().addToAnnotations(StorageNames.SELECTED_NODE, "n2").endMetadata().build()),
                        noVolume, fits),
                arguments("a bound volume on n2 and a claim with no volume anywhere", withData().claim("more", "more"),
                        List.of(STATIC,
                        claim("data", "static").build(), bound(claim("more", "static"), "pv1"),
                        claimedBy(reachableFrom(volume("pv1", "static", "1Gi"), onN2), "more", "default-more").build()),
                        List.of(VolumeBinding.NODE_CONFLICT, VolumeBinding.BIND_CONFLICT), noVolume));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Fixtures.PodMaker pod, List<HasMetadata> storage, List<String> onN1, List<String> onN2) {
        TestHandle handle = handle(storage.toArray(HasMetadata[]::new));
        Map<String, Status> outcome = new Cycle(handle, new VolumeBinding(handle, SHORT)).filter(pod.info());

        Map<String, List<String>> reasons = new LinkedHashMap<>();
        outcome.forEach((node, status) -> {
            assertThat(status.code()).as("%s on %s: %s", name, node, status)
                    .isIn(Code.SUCCESS, Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            reasons.put(node, status.reasons());
        });
        assertThat(reasons).as(name).containsExactly(Map.entry("n1", onN1), Map.entry("n2", onN2));
    }

    /** PreFilter, Filter on every node, Reserve on the node: what a cycle that chose it leaves in its state. */
    private static CycleState reserveOn(VolumeBinding plugin, TestHandle handle, PodInfo pod, String node) {
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod, handle.snapshot().nodes()).status().isSuccess()).isTrue();
        handle.snapshot().nodes().forEach(n -> plugin.filter(state, pod, n));
        assertThat(plugin.reserve(state, pod, node).isSuccess()).isTrue();
        return state;
    }

    @Test
    void theSmallestMatchingVolumeIsPreBoundAndAPodInFlightDoesNotGetItToo() {
        TestHandle handle = handle(STATIC, claim("data", "static").build(), claim("other", "static").build(),
                volume("big", "static", "5Gi").build(), volume("small", "static", "2Gi").build());
        VolumeBinding plugin = new VolumeBinding(handle, SHORT);
        PodInfo first = withData().info();
        CycleState firstState = reserveOn(plugin, handle, first, "n1");

        // The second pod's cycle runs while the first is still binding: the small volume is promised.
        PodInfo second = pod("q").claim("data", "other").info();
        CycleState secondState = reserveOn(plugin, handle, second, "n1");
        plugin.preBind(secondState, second, "n1");
        assertThat(handle.volumeWrites).containsExactly("big->default/other");

        // The first pre-binds the small one; nothing binds the claim here, so it times out.
        Status status = plugin.preBind(firstState, first, "n1");
        Cycle.assertStatus("first", status, Code.ERROR, "binding volumes: timed out waiting for the condition");
        assertThat(handle.volumeWrites).containsExactly("big->default/other", "small->default/data");
    }

    @Test
    void aVolumePromisedToAPodInFlightLeavesAnotherPodNoneUntilUnreserved() {
        TestHandle handle = handle(STATIC, claim("data", "static").build(), claim("other", "static").build(),
                volume("only", "static", "1Gi").build());
        VolumeBinding plugin = new VolumeBinding(handle, SHORT);
        PodInfo first = withData().info();
        CycleState firstState = reserveOn(plugin, handle, first, "n1");
        Cycle cycle = new Cycle(handle, plugin);
        PodInfo second = pod("q").claim("data", "other").info();

        assertThat(cycle.filter(second).values()).extracting(Status::reasons)
                .containsOnly(List.of(VolumeBinding.BIND_CONFLICT));
        plugin.unreserve(firstState, first, "n1");
        assertThat(cycle.filter(second).values()).allMatch(Status::isSuccess);
    }

    @Test
    void aClaimToProvisionGetsTheNodeAndLosesItWhenBindingTimesOut() {
        TestHandle handle = handle(LOCAL, claim("data", "local").build());
        VolumeBinding plugin = new VolumeBinding(handle, SHORT);
        PodInfo pod = withData().info();
        CycleState state = reserveOn(plugin, handle, pod, "n2");

        // Another pod sharing the claim, scheduled meanwhile, must follow it to n2.
        Map<String, Status> sharing = new Cycle(handle, plugin).filter(pod("q").claim("data", "data").info());
        assertThat(sharing.get("n1").reasons()).containsExactly(VolumeBinding.BIND_CONFLICT);
        assertThat(sharing.get("n2").isSuccess()).isTrue();

        Status status = plugin.preBind(state, pod, "n2");

        Cycle.assertStatus("pre-bind", status, Code.ERROR, "binding volumes: timed out waiting for the condition");
        assertThat(handle.volumeWrites).containsExactly("default/data=n2", "default/data=null");
        assertThat(handle.claims.get("default/data").getMetadata().getAnnotations())
                .doesNotContainKey(StorageNames.SELECTED_NODE);
    }

    @Test
    void aPodDeletedWhileItsVolumesAreProvisionedEndsItsWaitAndFreesTheNode() {
        TestHandle handle = handle(LOCAL, claim("data", "local").build());
        VolumeBinding plugin = new VolumeBinding(handle, Duration.ofSeconds(30));
        PodInfo pod = withData().info();
        CycleState state = reserveOn(plugin, handle, pod, "n1");
        handle.deletedPods.add(pod.key());

        Status status = plugin.preBind(state, pod, "n1");

        Cycle.assertStatus("pre-bind", status, Code.ERROR, "binding volumes: pod does not exist any more");
        assertThat(handle.volumeWrites).containsExactly("default/data=n1", "default/data=null");
    }

    @Test
    void aPodWhoseClaimsAreAllBoundNeedsNoWrites() {
        TestHandle handle = handle(LOCAL, bound(claim("data", "local"), "pv1"), volume("pv1", "local", "1Gi").build());
        VolumeBinding plugin = new VolumeBinding(handle, SHORT);
        PodInfo pod = withData().info();
        CycleState state = reserveOn(plugin, handle, pod, "n1");

        assertThat(plugin.preBind(state, pod, "n1").isSuccess()).isTrue();
        assertThat(handle.volumeWrites).isEmpty();
    }

    @Test
    void aStaticVolumeBoundByTheControllerInTimeLetsThePodBind() {
        PersistentVolumeClaimBuilder data = claim("data", "static");
        TestHandle handle = handle(STATIC, data.build(), volume("pv1", "static", "1Gi").build());
        VolumeBinding plugin = new VolumeBinding(handle, Duration.ofSeconds(30));
        PodInfo pod = withData().info();
        CycleState state = reserveOn(plugin, handle, pod, "n1");
        // What the PV controller does once it sees the claimRef, here ahead of the write being checked.
        handle.claims.put("default/data", bound(claim("data", "static"), "pv1"));

        assertThat(plugin.preBind(state, pod, "n1").isSuccess()).isTrue();
        assertThat(handle.volumeWrites).containsExactly("pv1->default/data");
        assertThat(new ArrayList<>(handle.volumes.values())).singleElement()
                .satisfies(pv -> assertThat(pv.getSpec().getClaimRef().getUid()).isEqualTo("default-data"));
    }
}
