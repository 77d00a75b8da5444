namespace Rose.Core.Validation;

public sealed record CatalogTable(string Schema, string Name, long EstimatedRows);

public sealed record CatalogColumn(string Schema, string Table, string Name, string Type, bool NotNull, int Number);

public sealed record CatalogForeignKey(string Schema, string Table, string Name, bool Validated, IReadOnlyList<string> Columns,
    string RefSchema, string RefTable, IReadOnlyList<string> RefColumns);

public sealed record CatalogUniqueKey(string Schema, string Table, string Name, bool Primary, IReadOnlyList<string> Columns);

public sealed record CatalogCheck(string Schema, string Table, string Name, bool Validated, string Definition);

/// <summary>
/// What validation needs to know about a target's tables, read from the system catalogs in one audited
/// batch (five SELECTs). Rose's own history table is left out: it is not the application's data.
/// </summary>
public sealed record TargetCatalog(
    IReadOnlyList<CatalogTable> Tables,
    IReadOnlyList<CatalogColumn> Columns,
    IReadOnlyList<CatalogForeignKey> ForeignKeys,
    IReadOnlyList<CatalogUniqueKey> UniqueKeys,
    IReadOnlyList<CatalogCheck> Checks)
{
    internal const string UserRelations = """
        n.nspname NOT IN ('pg_catalog', 'information_schema', 'rose_backup') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        AND c.relname <> 'rose_schema_history'
        """;

    private static string AttNames(string keys, string rel) => $"""
        (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest({keys}) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum)::text
        """;

    internal static readonly string Sql = string.Join(";\n", [
        $"""
        SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {UserRelations} ORDER BY n.nspname, c.relname
        """,
        $"""
        SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped AND {UserRelations}
        ORDER BY n.nspname, c.relname, a.attnum
        """,
        $"""
        SELECT n.nspname, c.relname, con.conname, con.convalidated, {AttNames("con.conkey", "con.conrelid")},
               rn.nspname, rc.relname, {AttNames("con.confkey", "con.confrelid")}
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_class rc ON rc.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE con.contype = 'f' AND {UserRelations} ORDER BY n.nspname, c.relname, con.conname, con.oid
        """,
        $"""
        SELECT n.nspname, c.relname, i.relname, x.indisprimary, {AttNames("x.indkey::int2[]", "x.indrelid")}
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE x.indisunique AND x.indpred IS NULL AND 0 <> ALL (x.indkey::int2[]) AND {UserRelations}
        ORDER BY n.nspname, c.relname, i.relname, x.indexrelid
        """,
        $"""
        SELECT n.nspname, c.relname, con.conname, con.convalidated, pg_get_constraintdef(con.oid)
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE con.contype = 'c' AND {UserRelations} ORDER BY n.nspname, c.relname, con.conname, con.oid
        """,
    ]);

    public static async Task<TargetCatalog> LoadAsync(TargetReader reader, Actor executor, string database, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var read = await reader.ReadAsync(executor, database, Sql, "validation: read the catalog", ct);
        if (!read.Succeeded || read.Statements.Count != 5)
        {
            throw new ValidationException($"Could not read the catalog of '{database}': {read.Error ?? "unexpected answer"}");
        }

        var s = read.Statements;
        return new TargetCatalog(
            Rows(s[0], r => new CatalogTable(r[0]!, r[1]!, long.Parse(r[2]!, System.Globalization.CultureInfo.InvariantCulture))),
            Rows(s[1], r => new CatalogColumn(r[0]!, r[1]!, r[2]!, r[3]!, r[4] == "t", int.Parse(r[5]!, System.Globalization.CultureInfo.InvariantCulture))),
            Rows(s[2], r => new CatalogForeignKey(r[0]!, r[1]!, r[2]!, r[3] == "t", Names(r[4]), r[5]!, r[6]!, Names(r[7]))),
            Rows(s[3], r => new CatalogUniqueKey(r[0]!, r[1]!, r[2]!, r[3] == "t", Names(r[4]))),
            Rows(s[4], r => new CatalogCheck(r[0]!, r[1]!, r[2]!, r[3] == "t", r[4]!)));
    }

    public IEnumerable<CatalogColumn> ColumnsOf(string schema, string table) =>
        Columns.Where(c => c.Schema == schema && c.Table == table);

    public bool HasTable(string schema, string table) => Tables.Any(t => t.Schema == schema && t.Name == table);

    private static List<T> Rows<T>(StatementResult statement, Func<string?[], T> map) => statement.Rows.Select(map).ToList();

    private static string[] Names(string? json) => json is null ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];
}

/// <summary>A validation run could not proceed; the message says why.</summary>
public sealed class ValidationException(string message) : Exception(message);
