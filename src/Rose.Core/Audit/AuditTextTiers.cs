using Npgsql;
using Rose.Core.Control.Queries;
using Rose.Core.Sql;

namespace Rose.Core.Audit;

/// <summary>
/// The audit text search's trigram indexes, one per range of ids (control schema V266): index k covers
/// ids [k * width, (k + 1) * width). A GIN scan pays for whole posting lists, and a tier's lists are a tier's
/// size however long the log grows. Only the newest tier takes INSERTs. Search is exactly correct whether a
/// tier's index exists or not (<see cref="AuditSql"/> bounds every tier query by its range, so a missing
/// index means reading that range's rows); this class only keeps them there.
/// </summary>
internal static class AuditTextTiers
{
    /// <summary>Ids per tier in production (V266 uses the same figure). Tests use small widths to cross tiers.</summary>
    public const long Width = 1_000_000;

    /// <summary>Tiers kept ready past the newest row's, built while still empty (instant) instead of after rows arrive.</summary>
    public const int Ahead = 1;

    /// <summary>Session advisory lock key of a keeper pass ('rose' 'tier' as two ASCII words): one console builds at a time.</summary>
    public const long AdvisoryLockKey = 0x726F7365_74696572;

    public static string IndexName(long width, long tier) => $"audit_log_text_w{width}_t{tier}";

    public static long TierOf(long id, long width) => Math.Max(0, id) / width;

    /// <summary>Each tier's id range [From, To) from the one holding <paramref name="maxId"/> down to the first, newest first.</summary>
    public static IEnumerable<(long From, long To)> RangesNewestFirst(long maxId, long width)
    {
        for (var tier = TierOf(maxId, width); tier >= 0; tier--)
        {
            yield return (tier * width, (tier + 1) * width);
        }
    }

    /// <summary>
    /// Builds every tier index from 0 to <see cref="Ahead"/> past the newest row's that is missing or was left
    /// invalid by an interrupted build, with CREATE INDEX CONCURRENTLY (audit writes go on meanwhile). Returns
    /// how many were built, or null when there is nothing to build them with (no pg_trgm) or another console is
    /// at it (unless <paramref name="waitForOthers"/>: then this pass waits for theirs and runs after it).
    /// </summary>
    public static async Task<int?> EnsureAsync(ControlDatabase control, long width, CancellationToken ct, bool waitForOthers = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        var lockSql = waitForOthers ? "SELECT pg_advisory_lock($1) IS NOT NULL" : "SELECT pg_try_advisory_lock($1)";
        if (!(await ControlQueries.QueryAsync<bool>(conn, null, lockSql, new(PgParam.Long(AdvisoryLockKey)), ct)).Single())
        {
            return null;
        }

        try
        {
            var trgmSchema = (await ControlQueries.QueryAsync<string>(conn, null,
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'", null, ct)).SingleOrDefault();
            if (trgmSchema is null)
            {
                return null;
            }

            var maxId = (await ControlQueries.QueryAsync<long>(conn, null, "SELECT coalesce(max(id), 0) FROM rose.audit_log", null, ct)).Single();
            var present = (await ControlQueries.QueryAsync<TierIndex>(conn, null, """
                SELECT c.relname AS "Name", i.indisvalid AS "Valid"
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'rose.audit_log'::regclass AND c.relname LIKE $1
                """, new(PgParam.Text($"audit\\_log\\_text\\_w{width}\\_t%")), ct)).ToDictionary(t => t.Name, t => t.Valid, StringComparer.Ordinal);
            var built = 0;
            for (var tier = 0L; tier <= TierOf(maxId, width) + Ahead; tier++)
            {
                var name = IndexName(width, tier);
                if (present.TryGetValue(name, out var valid) && valid)
                {
                    continue;
                }

                if (present.ContainsKey(name))
                {
                    // An interrupted concurrent build leaves an invalid index that IF NOT EXISTS would keep forever.
                    await DdlAsync(conn, $"DROP INDEX CONCURRENTLY IF EXISTS rose.{name}", ct);
                }

                await DdlAsync(conn,
                    $"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON rose.audit_log USING gin (search_folded {PgIdentifiers.QuoteIdentifier(trgmSchema)}.gin_trgm_ops) "
                    + $"WHERE id >= {tier * width} AND id < {(tier + 1) * width}", ct);
                built++;
            }

            return built;
        }
        finally
        {
            await ControlQueries.ExecuteAsync(conn, null, "SELECT pg_advisory_unlock($1)", new(PgParam.Long(AdvisoryLockKey)), CancellationToken.None);
        }
    }

    /// <summary>A build over a full tier takes minutes on a big log: no command timeout (the keeper's token stops it).</summary>
    private static async Task DdlAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed record TierIndex(string Name, bool Valid);
}

/// <summary>What a text page needs to know to ask the tiers: the newest audit id when the page was asked for, and the tier width.</summary>
internal readonly record struct AuditTextTierScope(long MaxId, long TierWidth);
