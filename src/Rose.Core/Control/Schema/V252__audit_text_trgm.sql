-- Audit text search (ILIKE '%term%' over sql_text or reason) from one trigram index instead of two.
-- The indexed expression joins both columns with a newline; AuditSql filters on that expression (so
-- the index serves it) AND on the original "sql_text ILIKE p OR reason ILIKE p", so what matches is
-- exactly what matched before: a term that would only match across the joint is dropped by the
-- second test. One index is half the GIN work per search and one index less per audit INSERT.
--
-- pg_trgm missing (an external control database without contrib, or a role that may not create it):
-- V020 already tried to create it and carried on. Here the index is skipped with a NOTICE; the search
-- stays correct (same SQL, same matches) but reads rows instead of the index, which is slow on a large
-- log. To get the index later: CREATE EXTENSION pg_trgm as a superuser, then create
-- audit_log_text_trgm_idx with the statement below (README, "The control role").
DO $$
DECLARE
    trgm_schema text;
BEGIN
    SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NULL THEN
        RAISE NOTICE 'pg_trgm is not installed: audit text search will read rows instead of using audit_log_text_trgm_idx';
    ELSE
        EXECUTE format('CREATE INDEX IF NOT EXISTS audit_log_text_trgm_idx ON rose.audit_log USING gin ((sql_text || E''\n'' || coalesce(reason, '''')) %I.gin_trgm_ops)', trgm_schema);
    END IF;
END;
$$;
DROP INDEX IF EXISTS rose.audit_log_sql_trgm_idx;
DROP INDEX IF EXISTS rose.audit_log_reason_trgm_idx;
