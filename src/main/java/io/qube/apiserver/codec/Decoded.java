package io.qube.apiserver.codec;

import java.util.List;

/** An object decoded into its model type, with the fields of the input that the type does not have. */
public record Decoded<T>(T object, List<String> unknownFields) {
}
