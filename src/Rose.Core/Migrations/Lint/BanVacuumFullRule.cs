namespace Rose.Core.Migrations.Lint;

/// <summary>VACUUM FULL writes a new copy of the table and its indexes while holding ACCESS EXCLUSIVE: a full outage for that table.</summary>
public sealed class BanVacuumFullRule() : StatementKindRule("VacuumStmt",
    "ban-vacuum-full",
    LintSeverity.Error,
    "VACUUM FULL rewrites the table and its indexes while reads and writes wait (ACCESS EXCLUSIVE).",
    ["prefer-repack"])
{
    protected override bool Applies(LintStatement s) =>
        StatementLocks.IsVacuumFull(s.Body);

    protected override LintFinding? Flag(LintStatement s)
    {
        var tables = LintTree.Nodes(s.Body, "rels", "VacuumRelation").Select(r => LintTree.RangeVar(LintTree.Prop(r, "relation"))).ToList();
        var what = tables.Count == 0 ? "every table in the database" : string.Join(", ", tables);
        return Finding(s, $"VACUUM FULL rewrites {what} while every read and write waits.",
            "Use plain VACUUM (no rewrite), or pg_repack / pg_squeeze to compact online.", TableImpact.Rewrite, tables.FirstOrDefault());
    }
}
