/** The store on PostgreSQL: every SQL statement, batched writes under one revision counter, consistent paged reads and compaction. */
package io.qube.store.pg;
