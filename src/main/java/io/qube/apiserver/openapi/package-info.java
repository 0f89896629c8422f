/** The OpenAPI v2 and v3 documents of the served API, generated from the fabric8 model classes, for kubectl's validation, apply and explain. */
package io.qube.apiserver.openapi;
