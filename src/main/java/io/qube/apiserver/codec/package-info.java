/** Turning Kubernetes objects into JSON and back: request bodies (JSON, YAML, protobuf) and their type check, the shared mappers, stored bodies and the resourceVersion they carry. */
package io.qube.apiserver.codec;
