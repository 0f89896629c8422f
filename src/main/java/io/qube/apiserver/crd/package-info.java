/**
 * Custom resources: what a CustomResourceDefinition's version turns into at runtime (a registry definition over
 * untyped objects), its structural schema's validation, defaulting and pruning, the naming rules that decide
 * whether a CRD's names are accepted, and the JSON paths its printer columns and scale subresource name.
 */
package io.qube.apiserver.crd;
