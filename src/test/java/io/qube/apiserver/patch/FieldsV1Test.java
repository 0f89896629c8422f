package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;

import static io.qube.apiserver.patch.PatchFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A create's field set is built in one walk ({@link FieldsV1#ofObject}); it must be exactly the FieldsV1 the general
 * path writes from the object's field paths, whatever the object holds.
 */
class FieldsV1Test {

    private static void sameAsFromPaths(ObjectNode object, Class<?> kind) {
        ModelType type = ModelType.of(kind);
        ObjectNode fromPaths = FieldsV1.write(ObjectFields.of(object, type).keySet());

        assertThat(FieldsV1.ofObject(object, type)).isEqualTo(fromPaths);
        assertThat(FieldsV1.ofObject(object, type).toString()).isEqualTo(fromPaths.toString());
    }

    @Test
    void aPodWithKeyedListsSetListsAndSystemFields() {
        sameAsFromPaths(json("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"default","uid":"u-1",
                   "resourceVersion":"7","generation":1,"creationTimestamp":"2025-03-01T12:00:00Z",
                   "labels":{"app":"web","tier":"front"},"annotations":{"a":"1"},
                   "finalizers":["example.com/a","example.com/b","example.com/a"],
                   "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":"o-1"}],
                   "managedFields":[{"manager":"x","operation":"Update","fieldsV1":{"f:spec":{}}}]},
                 "spec":{"restartPolicy":"Always","nodeSelector":{},"tolerations":[{"key":"k","operator":"Exists"}],
                   "containers":[
                     {"name":"app","image":"nginx:1.25","args":["-v"],
                      "ports":[{"containerPort":80},{"containerPort":80,"protocol":"UDP"},{"containerPort":80}],
                      "env":[{"name":"A","value":"1"},{"name":"A","value":"2"},{"value":"no name"}],
                      "resources":{"requests":{"cpu":"10m","memory":"16Mi"}}},
                     {"name":"side","image":"busybox","command":[]},
                     {"image":"no-name"}],
                   "volumes":[{"name":"data","emptyDir":{}}]},
                 "status":{"phase":"Pending","conditions":[{"type":"Ready","status":"False"}]}}
                """), Pod.class);
    }

    @Test
    void nullsMapsOfNullsAndEmptyValuesOwnNothingOrAreLeaves() {
        sameAsFromPaths(json("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"gone":null},
                   "annotations":{}},
                 "data":{"payload":"x","empty":"","nothing":null},"binaryData":null,
                 "unknown":{"deep":{"deeper":null}},"other":{"list":[1,2],"map":{"k":{}}}}
                """), ConfigMap.class);
    }

    @Test
    void anObjectWithNothingOwnedGivesAnEmptySet() {
        ObjectNode object = json("""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d","uid":"u"}}
                """);
        sameAsFromPaths(object, ConfigMap.class);
        assertThat(FieldsV1.ofObject(object, ModelType.of(ConfigMap.class)).isEmpty()).isTrue();
    }

    @Test
    void aServiceWithPortsKeyedByPortAndProtocol() {
        sameAsFromPaths(json("""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
                 "spec":{"selector":{"app":"web"},"clusterIPs":["10.0.0.1"],
                   "ports":[{"port":80,"targetPort":8080},{"port":80,"protocol":"UDP"},{"name":"no-port"}]}}
                """), Service.class);
    }
}
