namespace Rose.Core.Undo;

/// <summary>
/// The SQL that puts a backed-up change back, and the reads that check nobody changed the rows
/// since. Restoring UPDATEs also carries the check itself (the row's xmin must still be the
/// changing transaction's), so a row changed between the check and the run is left alone.
/// </summary>
internal static class RollbackSql
{
    /// <summary>Most rows named in a 409.</summary>
    public const int MaxNamedRows = 20;

    public static string Refusal(TakenBackup b) => b.Operation switch
    {
        "MERGE" => $"a MERGE may insert, update and delete; Rose kept the whole table {b.SourceSchema}.{b.SourceTable} in {b.BackupSql} but does not restore it automatically",
        "UPDATE" when b.KeyColumns.Count == 0 => $"{b.SourceSchema}.{b.SourceTable} has no primary key, so the updated rows cannot be matched to their backup in {b.BackupSql}",
        _ => "",
    };

    /// <summary>The restoring statements of one backup, in the order they run.</summary>
    public static IEnumerable<string> Restore(TakenBackup b)
    {
        var columns = string.Join(", ", b.Columns.Select(PgIdentifiers.QuoteIdentifier));
        var insert = $"INSERT INTO {b.SourceSql} ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM {b.BackupSql}";
        switch (b.Operation)
        {
            case "DROP TABLE":
                yield return $"CREATE TABLE {b.SourceSql} (LIKE {b.BackupSql} INCLUDING ALL)";
                yield return insert;
                break;
            case "UPDATE":
                var keys = b.KeyColumns.Select(PgIdentifiers.QuoteIdentifier).ToList();
                var rest = b.Columns.Where(c => !b.KeyColumns.Contains(c)).Select(PgIdentifiers.QuoteIdentifier).ToList();
                if (rest.Count == 0)
                {
                    yield break;
                }

                var match = string.Join(" AND ", keys.Select(k => $"b.{k} = t.{k}"));
                var set = rest.Count == 1
                    ? $"{rest[0]} = (SELECT b.{rest[0]} FROM {b.BackupSql} AS b WHERE {match})"
                    : $"({string.Join(", ", rest)}) = (SELECT {string.Join(", ", rest.Select(c => "b." + c))} FROM {b.BackupSql} AS b WHERE {match})";
                yield return $"UPDATE {b.SourceSql} AS t SET {set} WHERE t.xmin = '{Xid32(b.ChangeXid)}'::xid"
                    + $" AND ({string.Join(", ", keys.Select(k => "t." + k))}) IN (SELECT {string.Join(", ", keys.Select(k => "b." + k))} FROM {b.BackupSql} AS b)";
                break;
            default:
                // DELETE and TRUNCATE: the rows come back as they were.
                yield return insert;
                break;
        }
    }

    /// <summary>
    /// A read returning (key text..., problem) per row that changed since; empty when the restore is safe.
    /// Null when the operation needs a check of its own (TRUNCATE, DROP TABLE) or has no key to check by.
    /// </summary>
    public static string? ChangedRows(TakenBackup b)
    {
        if (b.KeyColumns.Count == 0)
        {
            return null;
        }

        var keys = b.KeyColumns.Select(PgIdentifiers.QuoteIdentifier).ToList();
        var keyText = string.Join(", ", keys.Select(k => $"b.{k}::text"));
        var join = string.Join(" AND ", keys.Select(k => $"t.{k} = b.{k}"));
        return b.Operation switch
        {
            "DELETE" or "TRUNCATE TABLE" => $"SELECT {keyText}, 'exists again' FROM {b.BackupSql} AS b JOIN {b.SourceSql} AS t ON {join} LIMIT {MaxNamedRows}",
            "UPDATE" => $"SELECT {keyText}, CASE WHEN t.{keys[0]} IS NULL THEN 'deleted since' ELSE 'changed since' END"
                + $" FROM {b.BackupSql} AS b LEFT JOIN {b.SourceSql} AS t ON {join}"
                + $" WHERE t.{keys[0]} IS NULL OR NOT (t.xmin = '{Xid32(b.ChangeXid)}'::xid) LIMIT {MaxNamedRows}",
            _ => null,
        };
    }

    /// <summary>xmin is the low 32 bits of the 64-bit transaction id pg_current_xact_id() returned.</summary>
    public static string Xid32(string xid8) =>
        (ulong.Parse(xid8, CultureInfo.InvariantCulture) & 0xFFFF_FFFF).ToString(CultureInfo.InvariantCulture);
}
