using System.Text.RegularExpressions;
using Rose.Core.Execution;

namespace Rose.Core.Undo;

/// <summary>
/// The tables a caller chose for a data snapshot: names checked in shape here, then resolved by
/// PostgreSQL itself (to_regclass, the target's search_path) inside the snapshot's own transaction, so
/// the tables dumped and checksummed are the ones that existed at that moment. A partitioned table
/// stands for itself and every leaf partition (its rows live there).
/// </summary>
internal static partial class SnapshotTables
{
    /// <summary>More names than this is a whole-database snapshot by another route.</summary>
    public const int MaxTables = 200;

    /// <summary>The schema of Rose's prior backups: never part of a snapshot, so an in-place restore leaves later backups alone (they keep their own retention).</summary>
    public const string BackupSchema = "rose_backup";

    // table or schema.table; each part plain or double-quoted as PostgreSQL writes it (no dots or spaces unquoted).
    [GeneratedRegex("""^("([^"]|"")+"|[^".\s]+)(\.("([^"]|"")+"|[^".\s]+))?$""", RegexOptions.CultureInvariant)]
    private static partial Regex NameShape();

    /// <summary>The chosen names trimmed and without repeats; null or empty means the whole database.</summary>
    /// <exception cref="DataSnapshotException">A name is not a table name, or there are too many.</exception>
    public static IReadOnlyList<string>? Normalise(IEnumerable<string>? tables)
    {
        var names = tables?.Select(t => t?.Trim() ?? "").Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (names is null || names.Count == 0)
        {
            return null;
        }

        if (names.Count > MaxTables)
        {
            throw new DataSnapshotException($"{names.Count} tables were chosen; a snapshot of chosen tables takes at most {MaxTables}. Take a whole-database snapshot instead (no tables).");
        }

        var bad = names.FirstOrDefault(n => n.Length > 200 || !NameShape().IsMatch(n));
        return bad is null
            ? names
            : throw new DataSnapshotException($"'{bad}' is not a table name: write table or schema.table (double-quote a part that has dots, spaces or capitals).");
    }

    /// <summary>
    /// Resolves every name to the tables it stands for, as schema-qualified (schema, table) pairs in
    /// catalog order: an ordinary table itself, a partitioned table itself and every partition under it
    /// (pg_dump needs the parent to re-attach them; the checksums cover the leaves, where the rows are).
    /// Runs on the snapshot's session, inside its transaction. <c>Chosen</c> is the asked tables' own names
    /// (schema.table, as the snapshot lists its contents), <c>Dump</c> those with their partitions.
    /// </summary>
    /// <exception cref="DataSnapshotException">A name is not a table on the target (unknown, a view, a lone partition, or a prior backup).</exception>
    public static async Task<(IReadOnlyList<(string Schema, string Table)> Dump, IReadOnlyList<string> Chosen)> ResolveAsync(TargetSession session,
        IReadOnlyList<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(names);
        var found = new SortedSet<(string Schema, string Table)>(Comparer<(string Schema, string Table)>.Create((a, b) =>
        {
            var bySchema = string.CompareOrdinal(a.Schema, b.Schema);
            return bySchema != 0 ? bySchema : string.CompareOrdinal(a.Table, b.Table);
        }));
        var chosen = new List<string>();
        foreach (var name in names)
        {
            // The shape check in Normalise means to_regclass never raises a syntax error, so the transaction survives a bad name.
            var rows = await session.QueryAsync("""
                SELECT c.relkind::text, n.nspname, c.relname, c.oid = to_regclass($1), c.relispartition, pg_partition_root(c.oid)::regclass::text
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.oid IN (SELECT relid FROM pg_partition_tree(to_regclass($1)) UNION SELECT to_regclass($1))
                """, [name], ct);
            if (rows.Count == 0)
            {
                throw new DataSnapshotException($"The target has no table named {name}.");
            }

            foreach (var row in rows)
            {
                var (kind, schema, table, asked) = ((string)row[0]!, (string)row[1]!, (string)row[2]!, (bool)row[3]!);
                if (schema == BackupSchema)
                {
                    throw new DataSnapshotException($"{schema}.{table} is one of Rose's prior backups; they are kept by Rose:PriorBackup:RetentionDays, not in snapshots.");
                }

                if (kind is not ("r" or "p"))
                {
                    throw new DataSnapshotException($"{name} is not a table (relkind '{kind}'); a snapshot holds tables and their rows.");
                }

                if (asked && (bool)row[4]!)
                {
                    // A lone partition cannot be restored: it is re-attached to a parent the snapshot would not hold.
                    throw new DataSnapshotException($"{name} is a partition; choose its partitioned table {row[5]} instead (that snapshots every partition).");
                }

                found.Add((schema, table));
                if (asked && !chosen.Contains($"{schema}.{table}"))
                {
                    chosen.Add($"{schema}.{table}");
                }
            }
        }

        return ([.. found], chosen);
    }

    /// <summary>
    /// The table's name with both parts double-quoted: a SQL name, and also pg_dump's --table pattern for
    /// exactly this table (inside double quotes no pattern character is special).
    /// </summary>
    public static string Qualified(string schema, string table) => Quote(schema) + "." + Quote(table);

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
