-- Audit text search: one trigram index per range of 1,000,000 ids ("tiers") instead of one over the whole log.
--
-- Why: a GIN scan pays for the posting list of a term's most selective trigram across the whole table. For a
-- term made only of frequent parts ('events_42 ': "42 " is in 2 % of rows) that list grows with the log
-- (187,747 entries at 10M rows, ~86 ms to decode on an idle 2-core machine), and walking ids instead costs
-- ~0.5 us a row for the ~155,000 rows a page of such a term needs (~87 ms). A partial index per id range keeps
-- every posting list a tier's size: a page of that term took 11-13 ms on the newest and on an old tier of
-- the same 10M-row log. A newest-first page asks the tiers newest first and stops when it is full
-- (AuditSql, AuditTextTiers).
--
-- Each tier's predicate is a fixed id range, so an INSERT maintains exactly one trigram index (the newest
-- tier's), as before. Tiers are created ahead of the ids: here up to one tier past the newest row, then by
-- AuditTextTierKeeper (CREATE INDEX CONCURRENTLY, every few minutes). A range whose tier is missing is still
-- searched exactly, by reading its rows; indexes only change speed.
--
-- Cost to apply on an existing log: the same work as building V263's index once (the tiers together hold
-- the same entries), and the old whole-log index is dropped first. pg_trgm missing: as in V252/V263 the
-- tiers are skipped with a NOTICE; the keeper creates them once pg_trgm is installed.
DROP INDEX IF EXISTS rose.audit_log_folded_trgm_idx;
DO $$
DECLARE
    trgm_schema text;
    width constant bigint := 1000000;
    last_tier bigint;
BEGIN
    SELECT n.nspname INTO trgm_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NULL THEN
        RAISE NOTICE 'pg_trgm is not installed: audit text search will read rows instead of using its trigram indexes';
        RETURN;
    END IF;
    SELECT coalesce(max(id), 0) / width + 1 INTO last_tier FROM rose.audit_log;
    FOR k IN 0..last_tier LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON rose.audit_log USING gin (search_folded %I.gin_trgm_ops) WHERE id >= %s AND id < %s',
            format('audit_log_text_w%s_t%s', width, k), trgm_schema, k * width, (k + 1) * width);
    END LOOP;
END;
$$;
