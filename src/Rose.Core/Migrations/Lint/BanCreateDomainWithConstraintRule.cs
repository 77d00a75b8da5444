namespace Rose.Core.Migrations.Lint;

/// <summary>A domain's CHECK cannot later be changed without ALTER DOMAIN, which scans every table using it.</summary>
public sealed class BanCreateDomainWithConstraintRule() : StatementKindRule("CreateDomainStmt",
    "ban-create-domain-with-constraint",
    LintSeverity.Warning,
    "CREATE DOMAIN with a constraint: changing it later scans every table that uses the domain.",
    ["ban-create-domain-with-constraint"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Constraints(s.Body).Any(c => LintTree.Str(c, "contype") is "CONSTR_CHECK");

    protected override LintFinding? Flag(LintStatement s)
    {
        var domain = LintTree.JoinNames(LintTree.Prop(s.Body, "domainname"));
        return Finding(s,
            $"Domain {domain} carries a CHECK constraint: changing it later needs ALTER DOMAIN, which scans every table using the domain.",
            "Create the domain without constraints and put CHECK constraints on the tables.", table: domain);
    }
}
