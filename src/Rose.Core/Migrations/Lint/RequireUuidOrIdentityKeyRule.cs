namespace Rose.Core.Migrations.Lint;

/// <summary>
/// Golden rule: every table has a primary key, and a single-column key is a uuid or an identity
/// column (not a hand-filled integer or a serial). Composite keys of join tables are left alone.
/// </summary>
public sealed class RequireUuidOrIdentityKeyRule() : LintRule(
    "require-uuid-or-identity-key",
    LintSeverity.Warning,
    "Golden rule: every new table has a primary key that is a uuid or an identity column.")
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(NewTables.IsStandalone))
        {
            var table = LintTree.Relation(s.Body);
            var keys = NewTables.Keys(s, "CONSTR_PRIMARY").ToList();
            if (keys.Count == 0)
            {
                yield return Finding(s, $"Table {table} has no primary key: rows cannot be addressed, replicated logically or de-duplicated.",
                    "Add id uuid PRIMARY KEY DEFAULT gen_random_uuid(), or id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY.");
                continue;
            }

            if (keys[0].Count != 1)
            {
                continue;
            }

            var column = NewTables.ColumnDefs(s).FirstOrDefault(c => string.Equals(LintTree.Str(c, "colname"), keys[0][0], StringComparison.Ordinal));
            if (column.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                continue;
            }

            var type = LintTree.TypeOf(LintTree.Prop(column, "typeName"));
            if (type != "uuid" && !LintTree.HasConstraint(column, "CONSTR_IDENTITY"))
            {
                yield return Finding(s, $"Primary key {table}.{keys[0][0]} is {type}, neither a uuid nor an identity column.",
                    "Use uuid DEFAULT gen_random_uuid() or bigint GENERATED ALWAYS AS IDENTITY.");
            }
        }
    }
}
