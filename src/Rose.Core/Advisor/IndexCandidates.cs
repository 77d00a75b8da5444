namespace Rose.Core.Advisor;

/// <summary>A possible index on one table, for one statement.</summary>
public sealed record IndexCandidate(CatalogTable Table, IReadOnlyList<string> Columns)
{
    public string Key => Table.QualifiedName + "(" + string.Join(",", Columns.Select(PgIdentifiers.QuoteIdentifier)) + ")";

    /// <summary>The statement hypopg plans and the operator would run; CONCURRENTLY so writes are not blocked while it builds.</summary>
    public string CreateSql(bool concurrently) =>
        $"CREATE INDEX {(concurrently ? "CONCURRENTLY " : "")}{PgIdentifiers.QuoteIdentifier(Name)} ON {Table.QualifiedName} ({string.Join(", ", Columns.Select(PgIdentifiers.QuoteIdentifier))})";

    /// <summary>table_col1_col2_idx, cut to PostgreSQL's 63-byte limit.</summary>
    public string Name
    {
        get
        {
            var name = Table.Name + "_" + string.Join("_", Columns) + "_idx";
            while (Encoding.UTF8.GetByteCount(name) > PgIdentifiers.MaxIdentifierBytes - 4)
            {
                name = name[..^1];
            }

            return name;
        }
    }
}

/// <summary>
/// Turns the columns a statement uses into candidate indexes: one per column, plus a composite of the
/// equality and join columns followed by the first range or sort column (the b-tree order that serves
/// them all). Candidates an existing index already covers are dropped.
/// </summary>
internal static class IndexCandidates
{
    private const int MaxCompositeWidth = 3;

    public static List<IndexCandidate> For(IReadOnlyList<QueryScope> scopes, IReadOnlyDictionary<QueryRelation, CatalogTable> tables)
    {
        var uses = new Dictionary<CatalogTable, List<(string Column, ColumnUse Use)>>();
        foreach (var scope in scopes)
        {
            foreach (var column in scope.Columns)
            {
                if (Resolve(scope, column, tables) is not { } table || !table.Columns.Contains(column.Column))
                {
                    continue;
                }

                if (!uses.TryGetValue(table, out var list))
                {
                    uses[table] = list = [];
                }

                list.Add((column.Column, column.Use));
            }
        }

        var candidates = new Dictionary<string, IndexCandidate>();
        foreach (var (table, list) in uses)
        {
            var ordered = list.OrderBy(u => u.Use).Select(u => u.Column).Distinct().ToList();
            foreach (var column in ordered)
            {
                Add(candidates, new IndexCandidate(table, [column]));
            }

            var equal = list.Where(u => u.Use is ColumnUse.Equality or ColumnUse.Join).Select(u => u.Column).Distinct().Take(MaxCompositeWidth).ToList();
            var tail = list.Where(u => u.Use is ColumnUse.Range or ColumnUse.Sort).Select(u => u.Column).FirstOrDefault(c => !equal.Contains(c));
            var composite = tail is null || equal.Count >= MaxCompositeWidth ? equal : [.. equal, tail];
            if (composite.Count > 1)
            {
                Add(candidates, new IndexCandidate(table, composite));
            }
        }

        return [.. candidates.Values];
    }

    private static void Add(Dictionary<string, IndexCandidate> candidates, IndexCandidate candidate)
    {
        if (!candidate.Table.IsCovered(candidate.Columns))
        {
            candidates.TryAdd(candidate.Key, candidate);
        }
    }

    /// <summary>The table a column belongs to: by its qualifier, or the one table of the scope that has such a column.</summary>
    private static CatalogTable? Resolve(QueryScope scope, QueryColumn column, IReadOnlyDictionary<QueryRelation, CatalogTable> tables)
    {
        if (column.Qualifier is { } qualifier)
        {
            var named = scope.Relations.FirstOrDefault(r => r.Alias == qualifier || (r.Alias is null && r.Name == qualifier));
            return named is not null && tables.TryGetValue(named, out var byName) ? byName : null;
        }

        var owners = scope.Relations.Select(r => tables.TryGetValue(r, out var t) ? t : null)
            .Where(t => t is not null && t.Columns.Contains(column.Column)).Distinct().ToList();
        return owners.Count == 1 ? owners[0] : null;
    }
}
