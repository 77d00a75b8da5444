namespace Rose.Core.Advisor;

/// <summary>A table as the target's catalog has it: columns, and the key columns of each plain valid b-tree index.</summary>
public sealed record CatalogTable(string Schema, string Name, long EstimatedRows, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> IndexKeys)
{
    /// <summary>
    /// True when an existing index already serves these columns: its leading key columns are exactly
    /// the candidate's, in order (a b-tree on (a, b) serves lookups on a and on (a, b)).
    /// </summary>
    public bool IsCovered(IReadOnlyList<string> columns) =>
        IndexKeys.Any(keys => keys.Count >= columns.Count && columns.Select((c, i) => keys[i] == c).All(x => x));

    public string QualifiedName => PgIdentifiers.QuoteIdentifier(Schema) + "." + PgIdentifiers.QuoteIdentifier(Name);
}

/// <summary>Reads <see cref="CatalogTable"/>s for relation names as a statement wrote them (resolved on the target's search_path).</summary>
internal static class TableCatalog
{
    private const char Unit = '\u001f';
    private const char Record = '\u001e';

    public static async Task<Dictionary<QueryRelation, CatalogTable>> ReadAsync(AdvisorReads reads, Actor executor, string database,
        IReadOnlyCollection<QueryRelation> relations, List<string> notes, CancellationToken ct)
    {
        var found = new Dictionary<QueryRelation, CatalogTable>();
        var distinct = relations.Distinct().ToList();
        if (distinct.Count == 0)
        {
            return found;
        }

        var names = string.Join(", ", distinct.Select(r => PgIdentifiers.QuoteLiteral(
            (r.Schema is null ? "" : PgIdentifiers.QuoteIdentifier(r.Schema) + ".") + PgIdentifiers.QuoteIdentifier(r.Name))));
        var sql = $"""
            SELECT r.ord, n.nspname, c.relname, GREATEST(c.reltuples, 0)::bigint AS reltuples,
              (SELECT string_agg(a.attname, chr(31) ORDER BY a.attnum) FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
              (SELECT string_agg((SELECT string_agg(a.attname, chr(31) ORDER BY k.ord)
                   FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.ord <= i.indnkeyatts), chr(30))
                FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
                WHERE i.indrelid = c.oid AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL AND am.amname = 'btree') AS indexes
            FROM unnest(ARRAY[{names}]::text[]) WITH ORDINALITY r(name, ord)
            JOIN pg_class c ON c.oid = to_regclass(r.name)
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'm')
            """;
        var read = await reads.ReadAsync(executor, database, sql, "advisor: tables and indexes of the analysed statements", ct);
        if (!read.Succeeded)
        {
            notes.Add("The catalog could not be read: " + read.Error);
            return found;
        }

        var result = read.Statements[0];
        for (var i = 0; i < result.Rows.Count; i++)
        {
            var ordinal = (int)AdvisorReads.Integer(AdvisorReads.Cell(result, i, "ord"));
            var indexes = AdvisorReads.Cell(result, i, "indexes");
            found[distinct[ordinal - 1]] = new CatalogTable(
                AdvisorReads.Cell(result, i, "nspname")!,
                AdvisorReads.Cell(result, i, "relname")!,
                AdvisorReads.Integer(AdvisorReads.Cell(result, i, "reltuples")),
                (AdvisorReads.Cell(result, i, "columns") ?? "").Split(Unit, StringSplitOptions.RemoveEmptyEntries),
                indexes is null ? [] : [.. indexes.Split(Record).Select(k => (IReadOnlyList<string>)k.Split(Unit))]);
        }

        return found;
    }
}
