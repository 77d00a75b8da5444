namespace Rose.Core.Migrations;

/// <summary>
/// Row counts of the tables a migration touches (its statements' Objects), before and after. Used by
/// the runner and by approved migration runs, so both devlogs count the same way.
/// </summary>
internal static class MigrationRowCounts
{
    private const string ResolveSql =
        "SELECT c.oid::regclass::text FROM pg_class c WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'm')";

    /// <summary>The names the batch's parsed DML and DDL statements name, as written, each once.</summary>
    public static IReadOnlyList<string> TablesOf(SqlBatch batch) =>
        [.. batch.Statements
            .Where(s => s.IsParsed && s.Kind is StatementKind.Dml or StatementKind.Ddl)
            .SelectMany(s => s.Objects)
            .Distinct(StringComparer.Ordinal)];

    public static Task<Dictionary<string, long>> CountAsync(TargetSession session, SqlBatch batch, CancellationToken ct) =>
        CountAsync(session, TablesOf(batch), ct);

    /// <summary>
    /// Every name's exact count in one round trip: the server resolves each name (to_regclass) and counts
    /// the relation through query_to_xml with its own quoted regclass text, so a name from a migration
    /// never becomes SQL here either. query_to_xml is core PostgreSQL and needs no libxml for this.
    /// </summary>
    private const string CountAllSql = """
        SELECT n.name, substring(query_to_xml('SELECT count(*) AS c FROM ' || c.oid::regclass::text, false, true, '')::text FROM '<c>([0-9]+)</c>')::bigint
        FROM unnest($1::text[]) AS n(name)
        JOIN pg_class c ON c.oid = to_regclass(n.name) AND c.relkind IN ('r', 'p', 'm')
        """;

    /// <summary>
    /// Exact counts, by the name as the migration wrote it; a relation that does not exist (yet, or any
    /// more) is left out. One round trip for all names (<see cref="CountAllSql"/>). Outside a transaction,
    /// when that query fails (a name to_regclass cannot read, a table the target role may not read), each
    /// name is counted alone and the ones that fail are left out. Inside an open transaction (dry run,
    /// a migration's own) an error aborts it, so there it is not swallowed.
    /// </summary>
    public static async Task<Dictionary<string, long>> CountAsync(TargetSession session, IEnumerable<string> tables, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var names = tables.Distinct(StringComparer.Ordinal).ToArray();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (names.Length == 0)
        {
            return counts;
        }

        try
        {
            foreach (var row in await session.QueryAsync(CountAllSql, [names], ct))
            {
                counts[(string)row[0]!] = (long)row[1]!;
            }

            return counts;
        }
        catch (Npgsql.PostgresException) when (!session.InTransaction)
        {
            return await CountEachAsync(session, names, ct);
        }
    }

    /// <summary>Two round trips per name, each failure its own: the fallback of <see cref="CountAsync(TargetSession, IEnumerable{string}, CancellationToken)"/>.</summary>
    private static async Task<Dictionary<string, long>> CountEachAsync(TargetSession session, IEnumerable<string> tables, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in tables)
        {
            try
            {
                var resolved = await session.QueryAsync(ResolveSql, [name], ct);
                if (resolved.Count == 0 || resolved[0][0] is not string relation)
                {
                    continue;
                }

                var rows = await session.QueryAsync("SELECT count(*) FROM " + relation, [], ct);
                counts[name] = (long)rows[0][0]!;
            }
            catch (Npgsql.PostgresException) when (!session.InTransaction)
            {
                // Not a relation name to_regclass reads, or not readable by the target role: no count.
            }
        }

        return counts;
    }
}
