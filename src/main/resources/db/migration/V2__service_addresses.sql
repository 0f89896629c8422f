-- Cluster IPs and node ports held by Services, one row per address, so that the database refuses a second holder
-- however many apiservers allocate at once (as Kubernetes' IPAddress objects and allocator bitmaps do). The rows
-- are kept by a trigger on the change log, inside the write's own transaction: an apiserver of any version keeps
-- them, and the write that would take a held address fails (SQLSTATE 23505) and takes no revision.
-- kind: 'ip' (a cluster IP) or 'port' (a node port or health check node port).
CREATE TABLE qube_service_address (
    kind      text NOT NULL CHECK (kind IN ('ip', 'port')),
    address   text COLLATE "C" NOT NULL,
    namespace text COLLATE "C" NOT NULL,
    name      text COLLATE "C" NOT NULL,
    CONSTRAINT qube_service_address_pkey PRIMARY KEY (kind, address)
);
CREATE INDEX qube_service_address_owner ON qube_service_address (namespace, name);

-- The addresses a Service body holds: its cluster IPs ("None" is a headless service's, not an address), the node
-- ports of its ports and its health check node port.
CREATE FUNCTION qube_service_addresses_of(p_body json)
    RETURNS TABLE (kind text, address text)
    LANGUAGE sql IMMUTABLE AS
$$
    SELECT DISTINCT a.kind, a.address FROM (
        SELECT 'ip' AS kind, ip AS address
          FROM json_array_elements_text(CASE WHEN json_typeof(p_body -> 'spec' -> 'clusterIPs') = 'array'
                                             THEN p_body -> 'spec' -> 'clusterIPs' ELSE '[]'::json END) ip
        UNION ALL
        SELECT 'ip', p_body -> 'spec' ->> 'clusterIP'
        UNION ALL
        SELECT 'port', port ->> 'nodePort'
          FROM json_array_elements(CASE WHEN json_typeof(p_body -> 'spec' -> 'ports') = 'array'
                                        THEN p_body -> 'spec' -> 'ports' ELSE '[]'::json END) port
        UNION ALL
        SELECT 'port', p_body -> 'spec' ->> 'healthCheckNodePort'
    ) a
    WHERE a.address IS NOT NULL AND a.address NOT IN ('', 'None', '0')
$$;

-- Moves a Service's rows to the addresses of its new version. An address another Service holds is refused, unless
-- this Service's previous version already had it: two Services that were given the same address before this table
-- existed must still be able to change (their status, their labels) and be deleted.
CREATE FUNCTION qube_service_address_keep() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    held record;
BEGIN
    DELETE FROM qube_service_address a WHERE a.namespace = NEW.namespace AND a.name = NEW.name;
    IF NEW.event = 3 THEN
        RETURN NULL;
    END IF;
    FOR held IN SELECT * FROM qube_service_addresses_of(NEW.body) LOOP
        INSERT INTO qube_service_address VALUES (held.kind, held.address, NEW.namespace, NEW.name)
            ON CONFLICT DO NOTHING;
        IF NOT FOUND AND NOT EXISTS (
                SELECT 1 FROM qube_log l, qube_service_addresses_of(l.body) p
                 WHERE NEW.prev_revision <> 0 AND l.revision = NEW.prev_revision
                   AND p.kind = held.kind AND p.address = held.address) THEN
            RAISE EXCEPTION 'service address taken: % %', held.kind, held.address
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'qube_service_address_pkey',
                      DETAIL = held.kind || ' ' || held.address;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER qube_service_address_keep AFTER INSERT ON qube_log
    FOR EACH ROW WHEN (NEW.resource = 'services' AND NEW.api_group = '')
    EXECUTE FUNCTION qube_service_address_keep();

-- The Services stored before this migration: the first holder of a shared address keeps the row.
INSERT INTO qube_service_address
SELECT DISTINCT ON (p.kind, p.address) p.kind, p.address, o.namespace, o.name
  FROM qube_object o
  JOIN qube_log l ON l.revision = o.revision
 CROSS JOIN LATERAL qube_service_addresses_of(l.body) p
 WHERE o.resource = 'services' AND o.api_group = ''
 ORDER BY p.kind, p.address, l.create_revision
    ON CONFLICT DO NOTHING;
