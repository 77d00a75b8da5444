-- Audit text search over a stored, case-folded copy of the searchable text.
--
-- Why: the page's search means "sql_text ILIKE p OR reason ILIKE p". In a UTF8 database PostgreSQL
-- answers ILIKE by lower()-ing the whole value and the pattern and then comparing like LIKE, and that
-- lower() is most of the cost (measured 5.3 us per row for ILIKE on both columns against 0.7 us for a
-- plain LIKE). Storing lower(sql_text) and lower(reason) once, when the row is written, lets the search
-- walk and recheck rows with a case-sensitive LIKE of lower(p): the same matches (lower(x) LIKE lower(p)
-- is how ILIKE is computed), several times cheaper per row. AuditSql still applies the original ILIKE
-- test to the rows that pass, so the result is exactly the old one; the newline between the two parts
-- only means the folded column may match a term spanning both, which that test then drops.
--
-- The trigram index moves from V252's expression to this column (same size, one GIN entry set per row,
-- as before), so an audit INSERT maintains one trigram index, as it did, plus two lower() calls.
--
-- Cost to apply on an existing log: ADD COLUMN ... STORED rewrites audit_log (every row, under an
-- ACCESS EXCLUSIVE lock, so audit writes wait; Rose applies control-schema scripts at start-up, before
-- it serves), and the trigram index is then built over the new column, roughly what V252 cost. V252's
-- index is dropped first so the rewrite does not rebuild it only to drop it. Measured on 2 cores under
-- load average ~15: the rewrite took 375 s at 10,000,000 rows before the btree indexes were built (it
-- rebuilds those too on a live log; 2.5 min at 1,000,000 rows with a seed running
-- beside it); the index build is V252's again (883 s at 10M under load ~30). The migrator runs scripts
-- without a command timeout for this reason.
--
-- pg_trgm missing: as in V252 the index is skipped with a NOTICE and search stays exactly correct,
-- walking the folded column instead (README, "The control role", says how to add the index later).
DROP INDEX IF EXISTS rose.audit_log_text_trgm_idx;
ALTER TABLE rose.audit_log
    ADD COLUMN search_folded text GENERATED ALWAYS AS (lower(sql_text) || E'\n' || lower(coalesce(reason, ''))) STORED;
DO $$
DECLARE
    trgm_schema text;
BEGIN
    SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NULL THEN
        RAISE NOTICE 'pg_trgm is not installed: audit text search will read rows instead of using audit_log_folded_trgm_idx';
    ELSE
        EXECUTE format('CREATE INDEX IF NOT EXISTS audit_log_folded_trgm_idx ON rose.audit_log USING gin (search_folded %I.gin_trgm_ops)', trgm_schema);
    END IF;
END;
$$;
