namespace Rose.Core.Migrations.Lint;

/// <summary>
/// DEFAULT now()::text (or any cast of a time function to a string type) stores the time as text
/// formatted by the inserting session's DateStyle and TimeZone: values sort wrongly and parse
/// ambiguously. On ADD COLUMN it is evaluated once, so every existing row gets the migration's time.
/// squawk treats it as a harmless stable default.
/// </summary>
public sealed class BanNowCastDefaultRule() : LintRule(
    "ban-now-cast-default",
    LintSeverity.Warning,
    "A default like now()::text stores session-formatted text instead of a timestamptz (and one frozen value on ADD COLUMN).")
{
    private static readonly HashSet<string> TimeFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "now", "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday", "current_timestamp", "localtimestamp",
    };

    private static readonly HashSet<string> TextTypes = new(StringComparer.OrdinalIgnoreCase) { "text", "varchar", "bpchar", "char", "name" };

    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var col in LintTree.Columns(s))
            {
                var defaults = LintTree.Constraints(col.Def).Where(c => LintTree.Str(c, "contype") == "CONSTR_DEFAULT").Select(c => LintTree.Prop(c, "raw_expr"));
                var cast = defaults.Select(d => LintTree.Prop(d, "TypeCast")).FirstOrDefault(c =>
                    TextTypes.Contains(LintTree.TypeOf(LintTree.Prop(c, "typeName")) ?? "") && LintTree.FunctionNames(LintTree.Prop(c, "arg")).Any(TimeFunctions.Contains));
                if (cast.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    yield return Finding(s,
                        $"Column {col.Name} defaults to a time cast to text: values depend on each session's DateStyle and TimeZone"
                        + (col.NewTable ? "." : ", and every existing row gets the migration's time."),
                        "Use a timestamptz column with DEFAULT now().");
                }
            }
        }
    }
}
