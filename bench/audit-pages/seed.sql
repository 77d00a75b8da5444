-- Seeds audit attempts :lo..:hi (ids and times follow g, so several sessions can each load one range at
-- once) with outcomes for all but the newest 20 of :rows. Values are drawn at random (a fixed seed per
-- range) so filters are independent of each other; hashes are placeholders (the chain is not timed here).
-- One statement writes both tables: the attempts' RETURNING feeds the outcomes, so the outcome rows do
-- not need a second pass over the attempts just written.
SELECT setseed(0.42 - :lo::float8 / 1e9);
WITH attempts AS (
INSERT INTO rose.audit_log (id, occurred_at, executor_id, executor_name, executor_kind, provider, channel, database_name,
    reason, sql_text, sql_length, sql_hash, operations, decision, decision_reasons, approval_id, approved_by, prev_hash, row_hash)
OVERRIDING SYSTEM VALUE
SELECT g, timestamptz '2024-01-01 00:00:00+00' + g * interval '3 seconds',
       ex.id, ex.id, ex.kind, CASE ex.kind WHEN 'agent' THEN 'api-key' WHEN 'human' THEN 'oidc' ELSE 'rose' END,
       CASE WHEN r2 < 0.60 THEN 'api' WHEN r2 < 0.80 THEN 'mcp' WHEN r2 < 0.95 THEN 'workbench' WHEN r2 < 0.98 THEN 'migration' ELSE 'approval' END,
       'db' || (r1 * 20)::int,
       CASE WHEN r3 < 0.3 THEN NULL ELSE 'ticket RT-' || (g % 200000) || ' nightly ' || op.tag END,
       op.sqltext, length(op.sqltext), md5(op.sqltext), ARRAY[op.tag],
       CASE WHEN op.tag = 'DROP TABLE' THEN 'approval' WHEN r4 < 0.05 THEN 'deny' ELSE 'allow' END,
       '{}', NULL, NULL, md5(g::text), md5((g + 1)::text)
FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6, random() AS r7
      FROM generate_series(:lo::bigint, :hi::bigint) g) s
CROSS JOIN LATERAL (SELECT CASE WHEN r5 < 0.7 THEN 'agent-' || (r6 * 50)::int WHEN r5 < 0.97 THEN 'user-' || (r6 * 200)::int ELSE 'rose:migrations' END AS id,
                           CASE WHEN r5 < 0.7 THEN 'agent' WHEN r5 < 0.97 THEN 'human' ELSE 'system' END AS kind) ex
CROSS JOIN LATERAL (SELECT t.tag,
        CASE t.tag
            WHEN 'SELECT' THEN 'SELECT id, total FROM orders_' || (g % 500) || ' WHERE customer_id = ' || (g % 99991)
            WHEN 'INSERT' THEN 'INSERT INTO events_' || (g % 300) || ' (kind, at) VALUES (''k' || (g % 77) || ''', now())'
            WHEN 'UPDATE' THEN 'UPDATE accounts SET balance = balance - ' || (g % 1000) || ' WHERE id = ' || g
            WHEN 'DELETE' THEN 'DELETE FROM sessions WHERE expires_at < now() - interval ''' || (g % 30) || ' days'''
            WHEN 'CREATE INDEX' THEN 'CREATE INDEX ix_' || g || ' ON items_' || (g % 50) || ' (sku)'
            ELSE 'DROP TABLE tmp_import_' || g END AS sqltext
      FROM (SELECT CASE WHEN r7 < 0.75 THEN 'SELECT' WHEN r7 < 0.85 THEN 'INSERT' WHEN r7 < 0.93 THEN 'UPDATE'
                        WHEN r7 < 0.97 THEN 'DELETE' WHEN r7 < 0.99 THEN 'CREATE INDEX' ELSE 'DROP TABLE' END AS tag) t) op
RETURNING id, occurred_at, decision)
-- Every attempt but the newest 20 has an outcome; status follows the decision.
INSERT INTO rose.audit_outcome (audit_id, finished_at, status, rows_affected, duration_ms, error_sqlstate, error_message, outcome_hash)
SELECT a.id, a.occurred_at + interval '15 milliseconds',
       CASE WHEN a.decision = 'deny' THEN 'denied' WHEN a.decision = 'approval' THEN 'pending_approval'
            WHEN (a.id * 7919) % 100 < 3 THEN 'failed' WHEN (a.id * 7919) % 1000 < 35 THEN 'cancelled' ELSE 'succeeded' END,
       a.id % 100, 1.5, NULL, NULL, md5(a.id::text)
FROM attempts a
WHERE a.id <= :rows - 20;
