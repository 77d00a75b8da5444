namespace Rose.Core.Migrations.Lint;

/// <summary>
/// ADD COLUMN with a default PostgreSQL must compute per row (a volatile or unknown function, a
/// serial, a stored generated column) rewrites the whole table under ACCESS EXCLUSIVE. Constant
/// and stable defaults such as now() are stored once in the catalog (PostgreSQL 11+).
/// </summary>
public sealed class AddingFieldWithDefaultRule() : LintRule(
    "adding-field-with-default",
    LintSeverity.Error,
    "ADD COLUMN with a volatile default or a stored generated column rewrites the table under an ACCESS EXCLUSIVE lock.",
    ["adding-field-with-default"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_AddColumn"))
            {
                if (LintTree.ColumnDef(cmd) is not { } col)
                {
                    continue;
                }

                var name = LintTree.Str(col, "colname");
                if (LintTree.HasConstraint(col, "CONSTR_GENERATED"))
                {
                    yield return Finding(s,
                        $"Stored generated column {name} is computed for every existing row of {LintTree.Relation(s.Body)}: the table is rewritten while reads and writes wait.",
                        "Add a plain nullable column, backfill it in batches, and keep it current with a trigger or the application.", TableImpact.Rewrite);
                    continue;
                }

                var expr = LintTree.Constraints(col).Where(c => LintTree.Str(c, "contype") == "CONSTR_DEFAULT").Select(c => LintTree.Prop(c, "raw_expr")).FirstOrDefault();
                if (expr.ValueKind == System.Text.Json.JsonValueKind.Undefined || VolatileDefaults.UnsafeCall(expr) is not { } call)
                {
                    continue;
                }

                var known = VolatileDefaults.IsVolatile(expr);
                yield return Finding(s,
                    known
                        ? $"Column {name} gets the volatile default {call}(): every row of {LintTree.Relation(s.Body)} is rewritten while reads and writes wait."
                        : $"Column {name} gets the default {call}(), which PostgreSQL evaluates per row unless the function is not volatile: {LintTree.Relation(s.Body)} may be rewritten while reads and writes wait.",
                    "Add the column without a default (or with a constant), SET DEFAULT afterwards for new rows, and backfill existing rows in batches.",
                    known ? TableImpact.Rewrite : null,
                    severity: known ? LintSeverity.Error : LintSeverity.Warning);
            }
        }
    }
}
