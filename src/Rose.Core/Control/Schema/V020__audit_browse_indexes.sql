-- Indexes behind the audit browser (/audit) and the devlog list, sized for years of history.
-- Every audit page is ORDER BY id DESC LIMIT n with an optional id < cursor: each equality filter
-- gets a (column, id DESC) index so a filtered first page and a deep keyset page are both one short
-- index range scan. audit_log stays insert-only and hash-chained; indexes do not touch either.
-- (database_name, id DESC) and (executor_id, id DESC) exist since V001.
CREATE INDEX IF NOT EXISTS audit_log_channel_idx ON rose.audit_log (channel, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_executor_kind_idx ON rose.audit_log (executor_kind, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_decision_idx ON rose.audit_log (decision, id DESC);
-- Operation filter: operations @> ARRAY[op] (a rare tag such as DROP TABLE finds its rows at once;
-- a common one such as SELECT is served by walking the primary key backwards).
CREATE INDEX IF NOT EXISTS audit_log_operations_idx ON rose.audit_log USING gin (operations);
-- Devlogs page by id (the list's keyset) within a service or type.
CREATE INDEX IF NOT EXISTS devlogs_service_idx ON rose.devlogs (service_id, id DESC);
CREATE INDEX IF NOT EXISTS devlogs_type_idx ON rose.devlogs (log_type, id DESC);
-- The audit detail links an entry to the approval it parked and the devlogs written about it.
CREATE INDEX IF NOT EXISTS approvals_request_audit_idx ON rose.approvals (request_audit_id);
CREATE INDEX IF NOT EXISTS devlogs_audit_idx ON rose.devlogs (audit_id) WHERE audit_id IS NOT NULL;

-- Text search over SQL and reason is a substring match (ILIKE '%term%'): only a trigram index serves
-- that (V252 creates it). pg_trgm is a trusted contrib extension, but a server without contrib (or a
-- role without CREATE on the database) must still start: the search then scans, slower but correct.
-- Until 2026-12 this script also built one trigram index per column, which V252 replaced; see
-- SupersededChecksums for why an install that ran that text is still current.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%); audit text search will scan instead of using an index', SQLERRM;
END;
$$;
