-- Statistics for audit text search: how often each three-letter/digit sequence occurs in a sample of the
-- audit text (lower-cased, as the search_folded column holds it). pg_trgm keeps no per-trigram statistics,
-- and a GIN scan pays for decoding the posting lists of all of a term's trigrams, the most frequent
-- included (" rt" of 'RT-4242' is in most rows). With these figures the search asks the index only for the
-- term's rarest word (AuditTextSearchPlan), rechecks the whole term on the rows it returns, and walks ids
-- instead for a term with no rare part. Refreshed from a sample of ~10,000 rows by AuditTextGramRefresher;
-- empty until then (search then works as before). Costs nothing to apply: two empty tables.
CREATE TABLE rose.audit_text_grams (
    gram        text PRIMARY KEY,
    per_million integer NOT NULL
);
CREATE TABLE rose.audit_text_gram_refresh (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    sampled_rows integer NOT NULL,
    refreshed_at timestamptz NOT NULL
);
