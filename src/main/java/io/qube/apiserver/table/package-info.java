/** The columns {@code kubectl get} shows for each served kind, as on a real cluster. */
package io.qube.apiserver.table;
