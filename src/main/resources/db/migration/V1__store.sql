-- Qube's cluster state. One global revision numbers every write; see docs/ARCHITECTURE.md ("Revisions").

-- The newest committed revision. Every write locks this row until it commits, which is what makes revisions
-- become visible in the order they were assigned.
CREATE TABLE qube_revision (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision  bigint  NOT NULL
);
INSERT INTO qube_revision (revision) VALUES (0);

-- History at or below this revision has been compacted away: only each key's newest state below it remains.
CREATE TABLE qube_compaction (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision  bigint  NOT NULL
);
INSERT INTO qube_compaction (revision) VALUES (0);

-- Append-only change log: one row per revision, holding the object's state at that revision. event: 1 added,
-- 2 modified, 3 deleted (a deletion row holds the object's last state). prev_revision links a key's versions,
-- which is how compaction finds superseded rows.
CREATE TABLE qube_log (
    revision        bigint PRIMARY KEY,
    prev_revision   bigint   NOT NULL,
    event           smallint NOT NULL,
    resource        text COLLATE "C" NOT NULL,
    api_group       text COLLATE "C" NOT NULL,
    namespace       text COLLATE "C" NOT NULL,
    name            text COLLATE "C" NOT NULL,
    uid             text   NOT NULL,
    create_revision bigint NOT NULL,
    labels          jsonb  NOT NULL,
    fields          jsonb  NOT NULL,
    body            json   NOT NULL
);
CREATE INDEX qube_log_key ON qube_log (resource, api_group, namespace, name, revision);

-- The live objects, each pointing at the log row that holds its current state: a body is written once, to the
-- log, and an update rewrites only this small row. Compaction never removes a row this table points at, since
-- only superseded versions and deletions are removed. The labels are repeated here for the selector index.
CREATE TABLE qube_object (
    resource  text COLLATE "C" NOT NULL,
    api_group text COLLATE "C" NOT NULL,
    namespace text COLLATE "C" NOT NULL,
    name      text COLLATE "C" NOT NULL,
    revision  bigint NOT NULL,
    labels    jsonb  NOT NULL,
    PRIMARY KEY (resource, api_group, namespace, name)
) WITH (fillfactor = 50); -- room on each page, so that an update's new row version stays there, unindexed (HOT)
CREATE INDEX qube_object_labels ON qube_object USING gin (labels);

-- Applies a batch of writes in one transaction, in array order, and returns one row per write. op: 1 create,
-- 2 update, 3 delete. expected: revision precondition (0 = none). uids: the new uid for a create, the uid
-- precondition (or null) otherwise. outcome: 0 done, 1 already exists, 2 not found, 3 revision mismatch, 4 uid
-- mismatch. A deletion also returns the object's last labels, fields and body. A failed write takes no revision,
-- so revisions have no gaps.
CREATE FUNCTION qube_write(p_ops smallint[], p_resources text[], p_groups text[], p_namespaces text[],
                           p_names text[], p_uids text[], p_expected bigint[], p_labels text[],
                           p_fields text[], p_bodies text[])
    RETURNS TABLE (o_index int, o_outcome smallint, o_revision bigint, o_create_revision bigint, o_uid text,
                   o_labels text, o_fields text, o_body text)
    LANGUAGE plpgsql AS
$$
DECLARE
    rev       bigint;
    first_rev bigint;
    cur_rev   bigint;
    cur       qube_log%ROWTYPE;
    new_labels jsonb;
BEGIN
    -- Held until commit: transactions commit, and so become visible, in the order of their revisions.
    SELECT r.revision INTO rev FROM qube_revision r FOR UPDATE;
    first_rev := rev;
    FOR i IN 1 .. coalesce(array_length(p_ops, 1), 0) LOOP
        o_index := i;
        o_body := NULL; o_labels := NULL; o_fields := NULL;
        SELECT o.revision INTO cur_rev FROM qube_object o
         WHERE o.resource = p_resources[i] AND o.api_group = p_groups[i]
           AND o.namespace = p_namespaces[i] AND o.name = p_names[i];
        IF p_ops[i] = 1 THEN
            IF cur_rev IS NOT NULL THEN
                SELECT * INTO cur FROM qube_log l WHERE l.revision = cur_rev;
                o_outcome := 1; o_revision := cur_rev; o_create_revision := cur.create_revision;
                o_uid := cur.uid;
            ELSE
                rev := rev + 1;
                new_labels := p_labels[i]::jsonb;
                INSERT INTO qube_object VALUES (p_resources[i], p_groups[i], p_namespaces[i], p_names[i], rev, new_labels);
                INSERT INTO qube_log VALUES (rev, 0, 1, p_resources[i], p_groups[i], p_namespaces[i], p_names[i], p_uids[i],
                                             rev, new_labels, p_fields[i]::jsonb, p_bodies[i]::json);
                o_outcome := 0; o_revision := rev; o_create_revision := rev; o_uid := p_uids[i];
            END IF;
        ELSIF cur_rev IS NULL THEN
            o_outcome := 2; o_revision := 0; o_create_revision := 0; o_uid := NULL;
        ELSE
            SELECT * INTO cur FROM qube_log l WHERE l.revision = cur_rev;
            IF p_expected[i] <> 0 AND p_expected[i] <> cur_rev THEN
                o_outcome := 3; o_revision := cur_rev; o_create_revision := cur.create_revision; o_uid := cur.uid;
            ELSIF p_uids[i] IS NOT NULL AND p_uids[i] <> cur.uid THEN
                o_outcome := 4; o_revision := cur_rev; o_create_revision := cur.create_revision; o_uid := cur.uid;
            ELSE
                rev := rev + 1;
                IF p_ops[i] = 2 THEN
                    new_labels := p_labels[i]::jsonb;
                    UPDATE qube_object o SET revision = rev, labels = new_labels
                     WHERE o.resource = p_resources[i] AND o.api_group = p_groups[i]
                       AND o.namespace = p_namespaces[i] AND o.name = p_names[i];
                    INSERT INTO qube_log VALUES (rev, cur_rev, 2, p_resources[i], p_groups[i], p_namespaces[i], p_names[i],
                                                 cur.uid, cur.create_revision, new_labels, p_fields[i]::jsonb,
                                                 p_bodies[i]::json);
                ELSE
                    DELETE FROM qube_object o
                     WHERE o.resource = p_resources[i] AND o.api_group = p_groups[i]
                       AND o.namespace = p_namespaces[i] AND o.name = p_names[i];
                    INSERT INTO qube_log VALUES (rev, cur_rev, 3, p_resources[i], p_groups[i], p_namespaces[i], p_names[i],
                                                 cur.uid, cur.create_revision, cur.labels, cur.fields, cur.body);
                    o_body := cur.body::text; o_labels := cur.labels::text; o_fields := cur.fields::text;
                END IF;
                o_outcome := 0; o_revision := rev; o_create_revision := cur.create_revision; o_uid := cur.uid;
            END IF;
        END IF;
        RETURN NEXT;
    END LOOP;
    IF rev > first_rev THEN
        UPDATE qube_revision SET revision = rev;
        -- A wake-up for every process's log reader, not the data: one per transaction, a tiny payload.
        PERFORM pg_notify('qube_log', rev::text);
    END IF;
END
$$;
