package io.qube.scheduler.framework;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.qube.scheduler.plugins.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.qube.scheduler.plugins.Fixtures.node;
import static io.qube.scheduler.plugins.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

/** The snapshot's index of nodes by the namespaces of their pods follows nodes as they are added, changed, dropped. */
class SnapshotTest {

    /** The nodes the random walk below may have in its snapshot. */
    private static final List<String> WALKED_NODES = List.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8",
            "n9", "n10", "n11", "n12", "n13");

    @Test
    void indexesNodesByTheirPodsNamespaces() {
        NodeInfo a = node("a").with(pod("p1").namespace("web"), pod("p2").namespace("db")).info();
        NodeInfo b = node("b").with(pod("p3").namespace("web")).info();
        Snapshot snapshot = Snapshot.of(List.of(a, b));

        assertThat(snapshot.withPodsIn("web")).containsExactlyInAnyOrder(a, b);
        assertThat(snapshot.withPodsIn("db")).containsExactly(a);
        assertThat(snapshot.withPodsIn("other")).isEmpty();
        assertThat(a.podsIn("web")).extracting(PodInfo::name).containsExactly("p1");
        assertThat(a.podsIn("other")).isEmpty();
    }

    @Test
    void refreshMovesANodeBetweenNamespaces() {
        NodeInfo a = node("a").with(pod("p1").namespace("web")).info();
        Snapshot snapshot = Snapshot.of(List.of(a));
        NodeInfo current = a.copy();
        current.removePod("web/p1");
        current.addPod(pod("p2").namespace("db").info());

        snapshot.refresh(a, current);

        assertThat(snapshot.withPodsIn("web")).isEmpty();
        assertThat(snapshot.withPodsIn("db")).containsExactly(a);
        assertThat(a.podsIn("db")).extracting(PodInfo::name).containsExactly("p2");
        assertThat(a.namespaces()).containsExactly("db");
    }

    @Test
    void aRemovedNodeLeavesTheIndex() {
        NodeInfo a = node("a").with(pod("p1").namespace("web")).info();
        NodeInfo b = node("b").with(pod("p2").namespace("web")).info();
        Snapshot snapshot = Snapshot.of(List.of(a, b));

        assertThat(snapshot.remove("a")).isTrue();
        assertThat(snapshot.remove("a")).isFalse();

        assertThat(snapshot.withPodsIn("web")).containsExactly(b);
        assertThat(snapshot.get("a")).isNull();
    }

    @Test
    void removingTheLastPodOfANamespaceForgetsIt() {
        NodeInfo a = node("a").with(pod("p1").namespace("web"), pod("p2").namespace("web")).info();

        a.removePod("web/p1");
        assertThat(a.namespaces()).containsExactly("web");
        a.removePod("web/p2");

        assertThat(a.namespaces()).isEmpty();
        assertThat(a.podsIn("web")).isEmpty();
        assertThat(a.pods()).isEmpty();
    }

    /**
     * The standing counts per domain, and the placed pods' anti-affinity terms per domain, equal a fresh count over
     * every node after any sequence of changes: pods added, removed and marked for deletion, nodes relabelled, added
     * and removed (a seeded random walk, 500 steps).
     */
    @Test
    void podsPerDomainStayEqualToAFreshCountThroughChanges() {
        Random random = new Random(42);
        List<NodeInfo> copies = new ArrayList<>();
        Map<String, NodeInfo> current = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            NodeInfo node = node("n" + i).zone("z" + i % 3).info();
            current.put(node.name(), node);
            copies.add(node.copy());
        }
        Snapshot snapshot = Snapshot.of(copies);
        LabelSelector web = Fixtures.selector("app", "web");
        LabelSelector db = Fixtures.selector("app", "db");
        int podNumber = 0;
        for (int step = 0; step < 500; step++) {
            assertThat(snapshot.podsPerDomain("a", web, Fixtures.ZONE, false)).as("step %d", step)
                    .isEqualTo(freshCount(snapshot, "a", web, Fixtures.ZONE, false));
            assertThat(snapshot.podsPerDomain("b", db, Fixtures.HOSTNAME, false)).as("step %d", step)
                    .isEqualTo(freshCount(snapshot, "b", db, Fixtures.HOSTNAME, false));
            assertThat(snapshot.podsPerDomain("a", web, Fixtures.HOSTNAME, true)).as("step %d", step)
                    .isEqualTo(freshCount(snapshot, "a", web, Fixtures.HOSTNAME, true));
            assertThat(snapshot.requiredAntiAffinityTerms()).as("step %d", step)
                    .isEqualTo(freshAntiAffinityTerms(snapshot));
            String name = "n" + random.nextInt(14);
            NodeInfo node = current.get(name);
            int change = random.nextInt(20);
            if (node == null) {
                // n12 and n13 come and go, with or without a zone.
                NodeInfo added = change % 2 == 0 ? node(name).zone("z9").info() : node(name).info();
                current.put(name, added);
                snapshot.put(added.copy());
            } else if (change == 0 && (name.equals("n12") || name.equals("n13"))) {
                current.remove(name);
                snapshot.remove(name);
            } else if (change == 1) {
                NodeInfo relabelled = node(name).zone("z" + random.nextInt(4)).info();
                node.pods().forEach(relabelled::addPod);
                current.put(name, relabelled);
                snapshot.refresh(snapshot.get(name), relabelled);
            } else if (change < 8 && !node.pods().isEmpty()) {
                node.removePod(node.pods().get(random.nextInt(node.pods().size())).key());
                snapshot.refresh(snapshot.get(name), node);
            } else {
                Fixtures.PodMaker pod = pod("p" + podNumber++).namespace(random.nextBoolean() ? "a" : "b")
                        .label("app", random.nextBoolean() ? "web" : "db");
                if (change == 19) {
                    pod.terminating();
                }
                if (change >= 16) {
                    pod.requiredAntiAffinity(Fixtures.podTerm(change % 2 == 0 ? Fixtures.ZONE : Fixtures.HOSTNAME,
                            "app", "web"));
                }
                node.addPod(pod.info());
                snapshot.refresh(snapshot.get(name), node);
            }
        }
    }

    private static Map<String, Integer> freshCount(Snapshot snapshot, String namespace, LabelSelector selector,
                                                   String key, boolean withTerminating) {
        Map<String, Integer> counts = new HashMap<>();
        for (String name : WALKED_NODES) {
            NodeInfo node = snapshot.get(name);
            if (node == null || !node.labels().containsKey(key)) {
                continue;
            }
            int matching = 0;
            for (PodInfo pod : node.pods()) {
                if (pod.namespace().equals(namespace) && (withTerminating || !pod.terminating())
                        && pod.labels().equals(selector.getMatchLabels())) {
                    matching++;
                }
            }
            counts.merge(node.labels().get(key), matching, Integer::sum);
        }
        return counts;
    }

    private static Map<AffinityTerm, Map<String, Integer>> freshAntiAffinityTerms(Snapshot snapshot) {
        Map<AffinityTerm, Map<String, Integer>> terms = new HashMap<>();
        for (String name : WALKED_NODES) {
            NodeInfo node = snapshot.get(name);
            if (node == null) {
                continue;
            }
            for (PodInfo pod : node.pods()) {
                for (AffinityTerm term : pod.requiredAntiAffinity()) {
                    String value = node.labels().get(term.topologyKey());
                    if (value != null) {
                        terms.computeIfAbsent(term, t -> new HashMap<>()).merge(value, 1, Integer::sum);
                    }
                }
            }
        }
        return terms;
    }
}
