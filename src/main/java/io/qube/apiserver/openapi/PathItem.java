package io.qube.apiserver.openapi;

import java.util.List;

/**
 * The operations on one path, e.g. {@code /api/v1/namespaces/{namespace}/pods/{name}}.
 *
 * @param pathParameters the names of the path's template parameters ({@code namespace}, {@code name}), in order
 */
record PathItem(String path, List<String> pathParameters, List<Operation> operations) {
}
