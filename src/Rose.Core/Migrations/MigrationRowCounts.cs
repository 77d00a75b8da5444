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
    /// Exact counts, by the name as the migration wrote it. The table name is resolved by the server
    /// (to_regclass) and only its own quoted regclass text is put into the count query, so a name
    /// from a migration never becomes SQL. A relation that does not exist (yet, or any more) is left
    /// out. Inside an open transaction (dry run) an error aborts it, so there it is not swallowed.
    /// </summary>
    public static async Task<Dictionary<string, long>> CountAsync(TargetSession session, IEnumerable<string> tables, CancellationToken ct)
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
