namespace Rose.Core.Migrations.Lint;

/// <summary>What the golden rules read from a CREATE TABLE: whether it is a real, permanent, standalone table, and its key columns.</summary>
internal static class NewTables
{
    /// <summary>CREATE TABLE of a permanent table that is not a partition, a typed table or a LIKE copy: the golden rules apply.</summary>
    public static bool IsStandalone(LintStatement s) =>
        s.Node == "CreateStmt"
        && LintTree.Str(LintTree.Prop(s.Body, "relation"), "relpersistence") != "t"
        && LintTree.Prop(s.Body, "partbound").ValueKind == JsonValueKind.Undefined
        && LintTree.Prop(s.Body, "ofTypename").ValueKind == JsonValueKind.Undefined
        && !LintTree.Array(s.Body, "inhRelations").Any()
        && !LintTree.Array(s.Body, "tableElts").Any(e => e.TryGetProperty("TableLikeClause", out _));

    public static List<JsonElement> ColumnDefs(LintStatement s) => [.. LintTree.Nodes(s.Body, "tableElts", "ColumnDef")];

    /// <summary>Column names of a constraint's key list ("keys", "fk_attrs").</summary>
    public static List<string> Names(JsonElement constraint, string field) =>
        [.. LintTree.Array(constraint, field).Select(k => LintTree.Str(LintTree.Prop(k, "String"), "sval")).OfType<string>()];

    /// <summary>Leading-column lists of the keys a CREATE TABLE declares with the given constraint types.</summary>
    public static IEnumerable<List<string>> Keys(LintStatement s, params string[] contypes)
    {
        foreach (var col in ColumnDefs(s))
        {
            if (LintTree.Constraints(col).Any(c => contypes.Contains(LintTree.Str(c, "contype"))) && LintTree.Str(col, "colname") is { } name)
            {
                yield return [name];
            }
        }

        foreach (var con in LintTree.Constraints(s.Body, "tableElts").Where(c => contypes.Contains(LintTree.Str(c, "contype"))))
        {
            yield return Names(con, "keys");
        }
    }
}
