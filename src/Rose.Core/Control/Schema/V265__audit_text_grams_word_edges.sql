-- Audit text search statistics now count word-start and word-end trigrams (" 42", "42 ") beside the inner
-- ones (AuditTextGramStats), so a term made of a frequent word and a short one ('events_42 ') can be sized
-- and probed in id windows (AuditTextSearchPlan). Figures sampled before this version lack those trigrams,
-- and a trigram missing from the figures counts as rare, so they are discarded: search uses its plan without
-- statistics until the refresher samples again (a few minutes after start; seconds of work).
-- Costs nothing on a big log: it empties the two small statistics tables.
DELETE FROM rose.audit_text_grams;
DELETE FROM rose.audit_text_gram_refresh;
