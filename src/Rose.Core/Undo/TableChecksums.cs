namespace Rose.Core.Undo;

/// <summary>The rows of one table at one moment: how many, and a digest of their contents that ignores their order.</summary>
public sealed record TableChecksum(string Schema, string Table, long Rows, string Checksum)
{
    public string QualifiedName => $"{Schema}.{Table}";
}

/// <summary>A table whose restored rows differ from the snapshot's (or that is missing on one side).</summary>
public sealed record ChecksumMismatch(string Table, long? ExpectedRows, long? ActualRows, string Reason);

/// <summary>
/// Per-table checksums of a database: md5 over the sorted md5s of every row's text, so the same rows
/// in any physical order give the same digest. Read on an executor session inside the caller's
/// transaction (a snapshot's REPEATABLE READ one, so the checksums and pg_dump see the same data).
/// The text of a row depends on DateStyle, TimeZone, IntervalStyle, extra_float_digits and
/// bytea_output, so they are pinned here: a restored database with other defaults still compares.
/// </summary>
internal static class TableChecksums
{
    /// <summary>
    /// The tables pg_dump writes data for: ordinary tables and partitions (partitioned parents hold no
    /// rows of their own), not temporary ones, not those an extension owns, outside the system schemas
    /// and outside rose_backup (snapshots leave prior backups out).
    /// </summary>
    private const string TablesSql = """
        SELECT n.nspname, c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND c.relpersistence <> 't'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'rose_backup')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"
        """;

    private static readonly string[] PinnedSettings =
    [
        "SET LOCAL DateStyle = 'ISO, YMD'",
        "SET LOCAL TimeZone = 'UTC'",
        "SET LOCAL IntervalStyle = 'postgres'",
        "SET LOCAL extra_float_digits = 3",
        "SET LOCAL bytea_output = 'hex'",
    ];

    /// <summary>Checksums of every table (or only of <paramref name="only"/>'s), in schema and name order. The session must be inside a transaction.</summary>
    public static async Task<IReadOnlyList<TableChecksum>> ReadAsync(TargetSession session, IReadOnlyCollection<(string Schema, string Table)>? only, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        foreach (var setting in PinnedSettings)
        {
            await session.QueryAsync(setting, [], ct);
        }

        var tables = await session.QueryAsync(TablesSql, [], ct);
        if (only is not null)
        {
            // A chosen table that is gone is left out here and reported by Compare as missing.
            var wanted = only.ToHashSet();
            tables = [.. tables.Where(r => wanted.Contains(((string)r[0]!, (string)r[1]!)))];
        }

        var sums = new List<TableChecksum>(tables.Count);
        foreach (var row in tables)
        {
            var schema = (string)row[0]!;
            var table = (string)row[1]!;

            // Names come from the catalog; quoting them is all they need. ROW(r.*) is the whole row even
            // when a column happens to share the alias's name.
            var sql = "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) FROM (SELECT md5(ROW(rose_row.*)::text) AS h FROM "
                + SnapshotTables.Qualified(schema, table) + " AS rose_row) AS hashed";
            var result = await session.QueryAsync(sql, [], ct);
            sums.Add(new TableChecksum(schema, table, (long)result[0][0]!, (string)result[0][1]!));
        }

        return sums;
    }

    /// <summary>Every difference between what the snapshot recorded and what a database holds; empty when they are equal.</summary>
    public static IReadOnlyList<ChecksumMismatch> Compare(IReadOnlyList<TableChecksum> expected, IReadOnlyList<TableChecksum> actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var have = actual.ToDictionary(a => a.QualifiedName, StringComparer.Ordinal);
        var mismatches = new List<ChecksumMismatch>();
        foreach (var e in expected)
        {
            if (!have.Remove(e.QualifiedName, out var a))
            {
                mismatches.Add(new ChecksumMismatch(e.QualifiedName, e.Rows, null, "missing from the restored database"));
            }
            else if (a.Rows != e.Rows || !string.Equals(a.Checksum, e.Checksum, StringComparison.Ordinal))
            {
                mismatches.Add(new ChecksumMismatch(e.QualifiedName, e.Rows, a.Rows,
                    a.Rows != e.Rows ? $"{a.Rows} row(s) where the snapshot has {e.Rows}" : "same row count, different contents"));
            }
        }

        mismatches.AddRange(have.Values.Select(a => new ChecksumMismatch(a.QualifiedName, null, a.Rows, "not in the snapshot")));
        return mismatches;
    }
}
