namespace Rose.Core.Advisor;

/// <summary>
/// One health check as a catalog SELECT returning (evidence, severity, remediation) rows: severity
/// is ok, warning or critical; a check with no rows is ok. Thresholds live in the SQL and in
/// <see cref="Threshold"/>, which says them in words.
/// </summary>
public sealed record HealthCheckDefinition(string Name, string Threshold, string OkDetail, string Sql);

/// <summary>The checks, in the order the page shows them.</summary>
public static class HealthCheckDefinitions
{
    /// <summary>The checks with the default thresholds.</summary>
    public static IReadOnlyList<HealthCheckDefinition> All { get; } = For(new AdvisorOptions());

    /// <summary>The checks with the time thresholds of <paramref name="t"/> (whole seconds, so safe to write into the SQL).</summary>
    public static IReadOnlyList<HealthCheckDefinition> For(AdvisorOptions t) =>
    [
        new("invalid_indexes", "any index left invalid (a failed CREATE INDEX CONCURRENTLY)", "No invalid indexes.", """
            SELECT format('%s on %s is invalid', i.indexrelid::regclass, i.indrelid::regclass) AS evidence, 'critical' AS severity,
                   format('REINDEX INDEX CONCURRENTLY %s;', i.indexrelid::regclass) AS remediation
            FROM pg_index i WHERE NOT i.indisvalid
            """),
        new("unused_indexes", "never scanned since statistics were reset, not unique, larger than 1 MiB", "Every index over 1 MiB has been used.", """
            SELECT format('%s on %s: %s, 0 scans', s.indexrelid::regclass, s.relid::regclass, pg_size_pretty(pg_relation_size(s.indexrelid))) AS evidence,
                   'warning' AS severity, format('DROP INDEX CONCURRENTLY %s;', s.indexrelid::regclass) AS remediation
            FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
            WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND pg_relation_size(s.indexrelid) > 1048576
            """),
        new("bloated_indexes", "a b-tree index over 1 MiB whose pages are more than half empty (estimated from its rows and key widths)",
            "No b-tree index is more than half empty.", """
            WITH idx AS (
              SELECT i.indexrelid, i.indrelid, ic.relpages, GREATEST(ic.reltuples, 0) AS tuples,
                     (SELECT coalesce(sum(s.avg_width), 0) FROM pg_attribute a
                        JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
                       WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)) AS key_width
              FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
              JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                AND i.indexprs IS NULL AND i.indisvalid AND ic.relpages > 128
            ), sized AS (
              -- A leaf tuple is its key (8-byte aligned) plus an 8-byte header and a 4-byte line pointer;
              -- leaf pages are filled to 90%, plus one metapage.
              SELECT *, 1 + ceil(tuples * (8 * ceil(key_width / 8.0) + 12) / (0.9 * (8192 - 24 - 16))) AS expected
              FROM idx
            )
            SELECT format('%s on %s: %s, about %s%% empty (%s pages, %s expected for %s rows)', indexrelid::regclass, indrelid::regclass,
                          pg_size_pretty(relpages::bigint * 8192), round(100 * (1 - expected / relpages)), relpages, expected, tuples::bigint) AS evidence,
                   CASE WHEN expected < 0.25 * relpages THEN 'critical' ELSE 'warning' END AS severity,
                   format('REINDEX INDEX CONCURRENTLY %s;', indexrelid::regclass) AS remediation
            -- No column statistics yet (never analysed): no width to estimate from, so no verdict.
            FROM sized WHERE key_width > 0 AND expected < 0.5 * relpages AND (relpages - expected) * 8192 > 1048576
            """),
        new("duplicate_indexes", "two indexes with the same columns, operator classes, expressions and predicate", "No duplicate indexes.", """
            SELECT format('%s duplicates %s on %s', b.indexrelid::regclass, a.indexrelid::regclass, a.indrelid::regclass) AS evidence,
                   'warning' AS severity, format('DROP INDEX CONCURRENTLY %s;', b.indexrelid::regclass) AS remediation
            FROM pg_index a JOIN pg_index b ON b.indrelid = a.indrelid AND b.indexrelid > a.indexrelid
             AND b.indkey::text = a.indkey::text AND b.indclass::text = a.indclass::text
             AND coalesce(pg_get_expr(b.indexprs, b.indrelid), '') = coalesce(pg_get_expr(a.indexprs, a.indrelid), '')
             AND coalesce(pg_get_expr(b.indpred, b.indrelid), '') = coalesce(pg_get_expr(a.indpred, a.indrelid), '')
            JOIN pg_class c ON c.oid = a.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND NOT b.indisprimary AND (a.indisunique OR NOT b.indisunique)
            """),
        new("table_bloat", "dead rows over 20% of a table with more than 10,000 dead rows (statistics estimate)", "No table has more than 20% dead rows.", """
            SELECT format('%s: %s dead of %s rows (%s%%), last autovacuum %s', s.relid::regclass, s.n_dead_tup, s.n_live_tup + s.n_dead_tup,
                          round(100.0 * s.n_dead_tup / (s.n_live_tup + s.n_dead_tup), 1), coalesce(s.last_autovacuum::text, 'never')) AS evidence,
                   CASE WHEN s.n_dead_tup > s.n_live_tup THEN 'critical' ELSE 'warning' END AS severity,
                   format('VACUUM (ANALYZE) %s;', s.relid::regclass) AS remediation
            FROM pg_stat_user_tables s
            WHERE s.n_dead_tup > 10000 AND s.n_dead_tup > 0.2 * (s.n_live_tup + s.n_dead_tup)
            """),
        new("transaction_id_wraparound", "warning when a table's oldest unfrozen XID is over 1 billion old, critical over 1.5 billion (of 2^31)", "Plenty of transaction ID headroom.", """
            SELECT format('%s: oldest unfrozen XID is %s old; %s%% of the 2^31 headroom left', c.oid::regclass, age(c.relfrozenxid),
                          round(100 * (1 - age(c.relfrozenxid) / 2147483648.0), 1)) AS evidence,
                   CASE WHEN age(c.relfrozenxid) > 1500000000 THEN 'critical' WHEN age(c.relfrozenxid) > 1000000000 THEN 'warning' ELSE 'ok' END AS severity,
                   CASE WHEN age(c.relfrozenxid) > 1000000000 THEN format('VACUUM (FREEZE, VERBOSE) %s;', c.oid::regclass) END AS remediation
            FROM pg_class c WHERE c.relkind IN ('r', 'm', 't') ORDER BY age(c.relfrozenxid) DESC LIMIT 3
            """),
        new("sequences_near_exhaustion", "a sequence past 75% of its maximum (critical past 90%)", "No sequence is past 75% of its range.", """
            SELECT format('%I.%I: %s of %s used (%s%%)', schemaname, sequencename, last_value, max_value, round(100.0 * last_value / max_value, 1)) AS evidence,
                   CASE WHEN last_value::numeric / max_value > 0.9 THEN 'critical' ELSE 'warning' END AS severity,
                   format('ALTER SEQUENCE %I.%I AS bigint MAXVALUE 9223372036854775807; -- and widen the owning column to bigint', schemaname, sequencename) AS remediation
            FROM pg_sequences
            WHERE last_value IS NOT NULL AND increment_by > 0 AND last_value::numeric / max_value > 0.75
            """),
        new("cache_hit_ratio", "warning below 99% of block reads served from shared buffers, critical below 95% (after 10,000 reads)", "Cache hit ratio is healthy.", """
            SELECT format('%s%% of %s block reads came from shared buffers', round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2), blks_hit + blks_read) AS evidence,
                   CASE WHEN blks_hit + blks_read < 10000 THEN 'ok' WHEN blks_hit < 0.95 * (blks_hit + blks_read) THEN 'critical'
                        WHEN blks_hit < 0.99 * (blks_hit + blks_read) THEN 'warning' ELSE 'ok' END AS severity,
                   CASE WHEN blks_hit + blks_read >= 10000 AND blks_hit < 0.99 * (blks_hit + blks_read)
                        THEN format('ALTER SYSTEM SET shared_buffers = %L; -- about a quarter of RAM; needs a restart', '<25% of RAM>') END AS remediation
            FROM pg_stat_database WHERE datname = current_database()
            """),
        new("connection_saturation", "warning over 80% of max_connections in use, critical over 95%", "Connections are well below max_connections.", """
            SELECT format('%s of %s connections in use', count(*), current_setting('max_connections')) AS evidence,
                   CASE WHEN count(*) > 0.95 * current_setting('max_connections')::int THEN 'critical'
                        WHEN count(*) > 0.8 * current_setting('max_connections')::int THEN 'warning' ELSE 'ok' END AS severity,
                   CASE WHEN count(*) > 0.8 * current_setting('max_connections')::int
                        THEN 'ALTER SYSTEM SET max_connections = ''<higher>''; -- or put a pooler (PgBouncer) in front; needs a restart' END AS remediation
            FROM pg_stat_activity WHERE backend_type = 'client backend'
            """),
        new("long_running_queries", $"a statement active for more than {t.LongRunningSeconds} s", $"No statement has run longer than {t.LongRunningSeconds} s.", $"""
            SELECT format('pid %s (%s) active for %s: %s', pid, usename, date_trunc('second', now() - query_start), left(query, 200)) AS evidence,
                   'warning' AS severity, format('SELECT pg_cancel_backend(%s);', pid) AS remediation
            FROM pg_stat_activity
            WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND now() - query_start > make_interval(secs => {t.LongRunningSeconds})
            """),
        new("idle_in_transaction", $"a session idle inside an open transaction for more than {t.IdleInTransactionSeconds} s", "No session is idle in a transaction for long.", $"""
            SELECT format('pid %s (%s) idle in transaction for %s', pid, usename, date_trunc('second', now() - state_change)) AS evidence,
                   'warning' AS severity, format('SELECT pg_terminate_backend(%s);', pid) AS remediation
            FROM pg_stat_activity
            WHERE state LIKE 'idle in transaction%' AND now() - state_change > make_interval(secs => {t.IdleInTransactionSeconds})
            """),
        new("lock_waits", $"a session waiting on a lock for more than {t.LockWaitSeconds} s", "No session is stuck waiting on a lock.", $"""
            SELECT format('pid %s waits %s on a lock held by %s: %s', pid, date_trunc('second', now() - query_start), pg_blocking_pids(pid), left(query, 200)) AS evidence,
                   'warning' AS severity,
                   (SELECT string_agg(format('SELECT pg_cancel_backend(%s);', b), ' ') FROM unnest(pg_blocking_pids(pid)) b) AS remediation
            FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND now() - query_start > make_interval(secs => {t.LockWaitSeconds})
            """),
        new("replication_lag", "a replica more than 30 seconds or 100 MiB behind", "No replicas attached, or every replica is current.", """
            SELECT format('%s (%s): replay lag %s, %s behind', coalesce(application_name, ''), client_addr, coalesce(replay_lag::text, '0'),
                          pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))) AS evidence,
                   CASE WHEN replay_lag > interval '30 seconds' OR pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) > 104857600 THEN 'warning' ELSE 'ok' END AS severity,
                   NULL::text AS remediation
            FROM pg_stat_replication WHERE NOT pg_is_in_recovery()
            """),
    ];
}
