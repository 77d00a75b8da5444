namespace Rose.Core.Migrations.Lint;

/// <summary>
/// A rule about one kind of statement (one parse-tree node, e.g. "ClusterStmt") that judges each such
/// statement on its own, at most one finding each. The walk over the migration is here, once; a rule
/// says which statements of its kind it looks at (<see cref="Applies"/>) and what it finds in one.
/// </summary>
public abstract class StatementKindRule(string node, string id, LintSeverity severity, string description, IReadOnlyList<string>? squawk = null)
    : LintRule(id, severity, description, squawk)
{
    public sealed override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context) =>
        migration.Where(s => s.Node == node && Applies(s)).Select(Flag).OfType<LintFinding>();

    /// <summary>Narrows the rule to some statements of its kind (all of them unless overridden).</summary>
    protected virtual bool Applies(LintStatement s) => true;

    /// <summary>The finding for one statement the rule applies to, or null when that statement is fine.</summary>
    protected abstract LintFinding? Flag(LintStatement s);
}
