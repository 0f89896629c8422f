/**
 * {@code kubectl get} output: the columns of each served kind as a real cluster shows them, and the
 * {@link io.qube.apiserver.table.TableRenderer} that turns objects into meta.k8s.io/v1 Tables for lists, single
 * objects and watch events.
 */
package io.qube.apiserver.table;
