package io.qube.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * What a kind without a model class does to a written object before it is decoded: a custom resource drops the
 * fields its schema does not know and gets its schema's defaults. Built-in kinds have nothing to do here: decoding
 * into their class drops unknown fields and their {@link Defaulter} runs after.
 */
@FunctionalInterface
public interface Pruner {

    Pruner NONE = object -> List.of();

    /** @return the paths of the fields dropped, reported like a model class's unknown fields */
    List<String> prune(ObjectNode object);
}
