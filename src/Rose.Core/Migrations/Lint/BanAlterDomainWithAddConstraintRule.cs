namespace Rose.Core.Migrations.Lint;

/// <summary>ALTER DOMAIN ... ADD CONSTRAINT checks every column of every table that uses the domain, holding SHARE locks on them.</summary>
public sealed class BanAlterDomainWithAddConstraintRule() : StatementKindRule("AlterDomainStmt",
    "ban-alter-domain-with-add-constraint",
    LintSeverity.Warning,
    "ALTER DOMAIN ... ADD CONSTRAINT scans every table using the domain while writes to them wait.",
    ["ban-alter-domain-with-add-constraint"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Str(s.Body, "subtype") == "C";

    protected override LintFinding? Flag(LintStatement s)
    {
        var domain = LintTree.JoinNames(LintTree.Prop(s.Body, "typeName"));
        return Finding(s,
            $"Adding a constraint to domain {domain} checks every row of every table that uses it, and its semantics on existing data are easy to get wrong.",
            "Put CHECK constraints on the tables (NOT VALID, then VALIDATE) instead of on the domain.", table: domain);
    }
}
