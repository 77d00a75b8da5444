namespace Rose.Core.Migrations.Lint;

/// <summary>
/// Golden rule: every foreign key has an index that starts with its columns. Without one, each
/// DELETE or key UPDATE on the referenced table scans the referencing table. Offline the linter
/// sees only this migration, so it looks for the index (or a primary key / unique constraint) here.
/// </summary>
public sealed class RequireIndexedForeignKeyRule() : LintRule(
    "require-indexed-foreign-key",
    LintSeverity.Warning,
    "Golden rule: every foreign key's columns lead an index (in the same migration), or deletes on the parent scan the child.")
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        var indexed = IndexedPrefixes(migration);
        foreach (var s in migration)
        {
            var table = LintTree.Relation(s.Body);
            if (table is null)
            {
                continue;
            }

            foreach (var columns in ForeignKeys(s).Where(fk => fk.Count > 0))
            {
                if (!indexed.Any(ix => string.Equals(ix.Table, table, StringComparison.OrdinalIgnoreCase) && ix.Columns.Take(columns.Count).SequenceEqual(columns, StringComparer.Ordinal)))
                {
                    yield return Finding(s, $"Foreign key {table} ({string.Join(", ", columns)}) has no index starting with its columns in this migration: deletes on the referenced table scan {table}.",
                        $"CREATE INDEX CONCURRENTLY ON {table} ({string.Join(", ", columns)}).");
                }
            }
        }
    }

    private static IEnumerable<List<string>> ForeignKeys(LintStatement s)
    {
        if (s.Node == "CreateStmt")
        {
            foreach (var col in NewTables.ColumnDefs(s).Where(c => LintTree.HasConstraint(c, "CONSTR_FOREIGN")))
            {
                yield return [LintTree.Str(col, "colname")!];
            }

            foreach (var con in LintTree.Constraints(s.Body, "tableElts").Where(c => LintTree.Str(c, "contype") == "CONSTR_FOREIGN"))
            {
                yield return NewTables.Names(con, "fk_attrs");
            }
        }

        foreach (var cmd in LintTree.AlterCommands(s))
        {
            if (LintTree.AddedConstraint(cmd) is { } con && LintTree.Str(con, "contype") == "CONSTR_FOREIGN")
            {
                yield return NewTables.Names(con, "fk_attrs");
            }
            else if (LintTree.ColumnDef(cmd) is { } col && LintTree.HasConstraint(col, "CONSTR_FOREIGN"))
            {
                yield return [LintTree.Str(col, "colname")!];
            }
        }
    }

    /// <summary>(table, leading columns) of every index, primary key and unique constraint the migration creates.</summary>
    private static List<(string Table, List<string> Columns)> IndexedPrefixes(IReadOnlyList<LintStatement> migration)
    {
        var result = new List<(string, List<string>)>();
        foreach (var s in migration)
        {
            if (LintTree.Relation(s.Body) is not { } table)
            {
                continue;
            }

            if (s.Node == "IndexStmt")
            {
                result.Add((table, [.. LintTree.Nodes(s.Body, "indexParams", "IndexElem").Select(e => LintTree.Str(e, "name") ?? "\0")]));
            }
            else if (s.Node == "CreateStmt")
            {
                result.AddRange(NewTables.Keys(s, "CONSTR_PRIMARY", "CONSTR_UNIQUE").Select(k => (table, k)));
            }

            foreach (var con in LintTree.AlterCommands(s).Select(LintTree.AddedConstraint).OfType<JsonElement>())
            {
                if (LintTree.Str(con, "contype") is "CONSTR_PRIMARY" or "CONSTR_UNIQUE")
                {
                    result.Add((table, NewTables.Names(con, "keys")));
                }
            }
        }

        return result;
    }
}
