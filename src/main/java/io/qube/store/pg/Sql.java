package io.qube.store.pg;

import io.qube.store.FieldSelector;
import io.qube.store.LabelSelector;
import io.qube.store.ListRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

/** Every SQL statement the store runs (the schema itself lives in db/migration). */
final class Sql {

    static final String NOTIFY_CHANNEL = "qube_log";

    static final String OBJECT_COLUMNS =
            "resource, api_group, namespace, name, uid, revision, create_revision, labels, fields, body::text AS body";

    /** The live objects' current states: each qube_object row points at the log row that holds it. */
    private static final String CURRENT = "SELECT o.resource, o.api_group, o.namespace, o.name, l.uid, o.revision,"
            + " l.create_revision, o.labels, l.fields, l.body FROM qube_object o JOIN qube_log l ON l.revision = o.revision";

    static final String WRITE_BATCH = "SELECT * FROM qube_write($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

    static final String GET = "SELECT " + OBJECT_COLUMNS + " FROM (" + CURRENT
            + " WHERE o.resource = $1 AND o.api_group = $2 AND o.namespace = $3 AND o.name = $4) c";

    static final String CURRENT_REVISION = "SELECT revision FROM qube_revision";

    static final String REVISIONS = "SELECT r.revision AS current, c.revision AS compacted"
            + " FROM qube_revision r, qube_compaction c";

    static final String COMPACTED_REVISION = "SELECT revision FROM qube_compaction";

    static final String READ_LOG = "SELECT event, " + OBJECT_COLUMNS + " FROM qube_log"
            + " WHERE revision > $1 ORDER BY revision LIMIT $2";

    /**
     * Removes the history that compaction up to $2 makes unreachable: the versions superseded by a later version
     * at or below $2, and deletion rows at or below $2. Advances the compaction mark in the same statement, and
     * only from $1, so two processes compacting at once cannot step on each other.
     */
    static final String COMPACT_CHUNK = """
            WITH superseded AS (
                DELETE FROM qube_log WHERE revision IN (
                    SELECT prev_revision FROM qube_log WHERE revision > $1 AND revision <= $2 AND prev_revision > 0
                    UNION ALL
                    SELECT revision FROM qube_log WHERE revision > $1 AND revision <= $2 AND event = 3))
            UPDATE qube_compaction SET revision = $2 WHERE revision = $1""";

    private Sql() {
    }

    /**
     * The state at revision {@code atRevision} of the objects after a key, in key order: current rows untouched
     * since then, plus, for keys changed since, their newest logged version at or before it. Compaction keeps each
     * key's newest version at or below the compaction mark, so this is exact for any revision not below the mark.
     *
     * @param request the type and selection, or null for every object of every type
     */
    static Query listAt(ListRequest request, long atRevision, String afterNamespace, String afterName, int limit) {
        boolean typed = request != null;
        Tuple params = Tuple.tuple();
        StringBuilder scope = new StringBuilder();
        if (typed) {
            params.addString(request.type().resource()).addString(request.type().group());
            scope.append(" AND %1$s.resource = $1 AND %1$s.api_group = $2");
        }
        if (typed && request.namespace() != null) {
            params.addString(request.namespace());
            scope.append(" AND %1$s.namespace = $").append(params.size());
        }
        params.addString(afterNamespace).addString(afterName).addLong(atRevision);
        int after = params.size() - 2;
        int at = params.size();
        scope.append(" AND (%1$s.namespace, %1$s.name) > ($").append(after).append(", $").append(after + 1).append(")");
        String selected = " WHERE true" + (typed ? selectorClauses(request.labels(), request.fields(), params) : "");
        String inKeyOrder = " ORDER BY resource, api_group, namespace, name";
        if (limit > 0) {
            params.addInteger(limit);
            inKeyOrder += " LIMIT $" + params.size();
        }
        // Each part selects, orders and limits on its own as well, so that a page reads the objects table in key
        // order and stops after a page, instead of joining and sorting every object of the type.
        String current = "SELECT * FROM (" + CURRENT
                + " WHERE o.revision <= $" + at + String.format(scope.toString(), "o") + ") s" + selected + inKeyOrder;
        // Driven by the keys changed since (a range of the log's primary key, usually short), each probing the key
        // index for its newest version at or before the revision: a plan that stays cheap whatever the planner
        // believes about the tables' sizes (right after a bulk load it believed them empty, and a plan driven
        // by every version of the type, probing the changes for each, took seconds per page).
        String changedSince = "SELECT * FROM ("
                + " SELECT l.resource, l.api_group, l.namespace, l.name, l.uid, l.revision, l.create_revision,"
                + " l.labels, l.fields, l.body FROM ("
                + "  SELECT DISTINCT c.resource, c.api_group, c.namespace, c.name FROM qube_log c"
                + "  WHERE c.revision > $" + at + String.format(scope.toString(), "c") + ") k"
                + " CROSS JOIN LATERAL (SELECT * FROM qube_log l WHERE l.resource = k.resource"
                + "  AND l.api_group = k.api_group AND l.namespace = k.namespace AND l.name = k.name"
                + "  AND l.revision <= $" + at + " ORDER BY l.revision DESC LIMIT 1) l"
                + " WHERE l.event <> 3) s" + selected + inKeyOrder;
        String sql = "SELECT " + OBJECT_COLUMNS + " FROM ((" + current + ") UNION ALL (" + changedSince + ")) s"
                + inKeyOrder;
        return new Query(sql, params);
    }

    private static String selectorClauses(LabelSelector labels, FieldSelector fields, Tuple params) {
        StringBuilder where = new StringBuilder();
        for (LabelSelector.Requirement r : labels.requirements()) {
            switch (r.operator()) {
                case EQUALS -> where.append(" AND s.labels @> $").append(bind(params,
                        new JsonObject().put(r.key(), r.values().iterator().next())));
                case NOT_EQUALS -> where.append(" AND NOT s.labels @> $").append(bind(params,
                        new JsonObject().put(r.key(), r.values().iterator().next())));
                case IN -> where.append(" AND s.labels ->> $").append(bind(params, r.key()))
                        .append(" = ANY($").append(bind(params, r.values().toArray(String[]::new))).append(")");
                case NOT_IN -> where.append(" AND coalesce(NOT s.labels ->> $").append(bind(params, r.key()))
                        .append(" = ANY($").append(bind(params, r.values().toArray(String[]::new)))
                        .append("), true)");
                case EXISTS -> where.append(" AND s.labels ? $").append(bind(params, r.key()));
                case NOT_EXISTS -> where.append(" AND NOT s.labels ? $").append(bind(params, r.key()));
            }
        }
        for (FieldSelector.Requirement r : fields.requirements()) {
            String column = switch (r.field()) {
                case FieldSelector.NAME -> "s.name";
                case FieldSelector.NAMESPACE -> "s.namespace";
                default -> "coalesce(s.fields ->> $" + bind(params, r.field()) + ", '')";
            };
            where.append(" AND ").append(column).append(r.equals() ? " = $" : " <> $").append(bind(params, r.value()));
        }
        return where.toString();
    }

    private static int bind(Tuple params, Object value) {
        params.addValue(value);
        return params.size();
    }

    /** A statement with its parameters. */
    record Query(String sql, Tuple params) {
    }
}
