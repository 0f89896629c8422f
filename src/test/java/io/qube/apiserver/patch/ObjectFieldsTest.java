package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ObjectFields#changes}, which skips subtrees equal on both sides, against the plain comparison of every
 * field of both versions, through random edits of a deployment: leaves changed, set to null, removed and added,
 * list items added, removed and reordered, whole subtrees replaced.
 */
class ObjectFieldsTest {

    private static final ModelType DEPLOYMENT = ModelType.of(Deployment.class);

    @Test
    void changesAreWhatComparingEveryFieldFinds() {
        Random random = new Random(20261205);
        for (int round = 0; round < 2000; round++) {
            ObjectNode before = PatchFixtures.deployment();
            ObjectNode after = before.deepCopy();
            int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits; i++) {
                edit(after, random);
            }

            ObjectFields.Changes changes = ObjectFields.changes(before, after, DEPLOYMENT);

            Map<FieldPath, JsonNode> old = ObjectFields.of(before, DEPLOYMENT);
            Map<FieldPath, JsonNode> fresh = ObjectFields.of(after, DEPLOYMENT);
            Set<FieldPath> changed = new LinkedHashSet<>();
            fresh.forEach((path, value) -> {
                if (!JsonValues.same(value, old.get(path))) {
                    changed.add(path);
                }
            });
            Set<FieldPath> removed = new HashSet<>(old.keySet());
            removed.removeAll(fresh.keySet());
            assertThat(changes.changed()).as("round %d: %s", round, after).containsExactlyElementsOf(changed);
            assertThat(changes.removed()).as("round %d: %s", round, after).isEqualTo(removed);
        }
    }

    @Test
    void anUnchangedObjectHasNoChangesAndANewOneIsAllChanges() {
        ObjectNode deployment = PatchFixtures.deployment();

        assertThat(ObjectFields.changes(deployment, deployment.deepCopy(), DEPLOYMENT).changed()).isEmpty();
        assertThat(ObjectFields.changes(deployment.objectNode(), deployment, DEPLOYMENT).changed())
                .containsExactlyElementsOf(ObjectFields.of(deployment, DEPLOYMENT).keySet());
    }

    /** One random edit somewhere in the object. */
    private static void edit(ObjectNode root, Random random) {
        List<ObjectNode> objects = new ArrayList<>();
        List<ArrayNode> arrays = new ArrayList<>();
        collect(root, objects, arrays);
        switch (random.nextInt(7)) {
            case 0, 1 -> {
                ObjectNode object = objects.get(random.nextInt(objects.size()));
                List<String> names = new ArrayList<>();
                object.fieldNames().forEachRemaining(names::add);
                if (!names.isEmpty()) {
                    String name = names.get(random.nextInt(names.size()));
                    switch (random.nextInt(4)) {
                        case 0 -> object.remove(name);
                        case 1 -> object.putNull(name);
                        case 2 -> object.put(name, "v" + random.nextInt(3));
                        default -> object.putObject(name);
                    }
                }
            }
            case 2 -> objects.get(random.nextInt(objects.size())).put("added" + random.nextInt(3), random.nextInt(2));
            case 3 -> {
                if (!arrays.isEmpty()) {
                    ArrayNode array = arrays.get(random.nextInt(arrays.size()));
                    if (!array.isEmpty()) {
                        array.remove(random.nextInt(array.size()));
                    }
                }
            }
            case 4 -> {
                if (!arrays.isEmpty()) {
                    ArrayNode array = arrays.get(random.nextInt(arrays.size()));
                    if (array.size() > 1) {
                        JsonNode first = array.remove(0);
                        array.add(first);
                    } else if (!array.isEmpty()) {
                        array.add(array.get(0).deepCopy());
                    }
                }
            }
            case 5 -> {
                if (root.at("/spec/template/spec/containers/0") instanceof ObjectNode container
                        && root.at("/spec/template/spec/containers") instanceof ArrayNode containers) {
                    containers.add(container.deepCopy().put("name", "c" + random.nextInt(3)));
                }
            }
            default -> root.with("status").put("replicas", random.nextInt(3));
        }
    }

    private static void collect(JsonNode node, List<ObjectNode> objects, List<ArrayNode> arrays) {
        if (node instanceof ObjectNode object) {
            objects.add(object);
            object.elements().forEachRemaining(child -> collect(child, objects, arrays));
        } else if (node instanceof ArrayNode array) {
            arrays.add(array);
            array.elements().forEachRemaining(child -> collect(child, objects, arrays));
        }
    }
}
