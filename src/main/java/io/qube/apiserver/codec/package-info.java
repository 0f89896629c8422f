/** Turning Kubernetes objects into JSON and back: the shared mappers, stored bodies and the resourceVersion they carry. */
package io.qube.apiserver.codec;
