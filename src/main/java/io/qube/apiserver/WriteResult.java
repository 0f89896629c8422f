package io.qube.apiserver;

import io.qube.store.StoredObject;

import java.util.List;

/**
 * What a write produced.
 *
 * @param created  whether a new object came into being (201 rather than 200)
 * @param warnings for the Warning header, e.g. unknown fields under fieldValidation=Warn
 */
public record WriteResult(StoredObject object, boolean created, List<String> warnings) {
}
