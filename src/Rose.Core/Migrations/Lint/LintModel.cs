namespace Rose.Core.Migrations.Lint;

public enum LintSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>What a statement does to the table it names besides taking the lock.</summary>
public enum TableImpact
{
    /// <summary>Catalog-only or touches only the rows it names.</summary>
    None,

    /// <summary>Reads every row (index build, constraint validation, NOT NULL check) while holding the lock.</summary>
    Scan,

    /// <summary>Writes a new copy of the table (and its indexes) while holding the lock.</summary>
    Rewrite,
}

/// <summary>
/// One finding: which rule, how bad, on which statement, what to do instead (<see cref="Hint"/>),
/// the lock the statement takes, whether it scans or rewrites the table, and that table's size
/// when a target was connected. The positional part is the original contract of plan, API and editor.
/// </summary>
public sealed record LintFinding(string Rule, LintSeverity Severity, int? StatementIndex, string Message, string? Hint = null)
{
    /// <summary>The strongest table lock mode the statement takes, as PostgreSQL names it ("ACCESS EXCLUSIVE"), or "none".</summary>
    public string? Lock { get; init; }

    public TableImpact? Impact { get; init; }

    /// <summary>The table the finding is about, as written in the migration.</summary>
    public string? Table { get; init; }

    /// <summary>pg_class.reltuples of <see cref="Table"/> on the connected target; null offline or when unknown.</summary>
    public long? TableRows { get; init; }

    /// <summary>1-based line of the statement's first character in the migration text, when the linter had the text.</summary>
    public int? Line { get; init; }
}

/// <summary>A statement with its parse tree, as a rule sees it.</summary>
/// <param name="InTransaction">True when an explicit BEGIN earlier in the file is still open.</param>
public sealed record LintStatement(SqlStatement Statement, string Node, JsonElement Body, bool InTransaction = false);

/// <summary>What rules know beyond the SQL: the target's catalog estimates and the configured thresholds.</summary>
/// <param name="RowEstimates">pg_class.reltuples by the relation name as written in the migration.</param>
/// <param name="BigTableRows">From this many (estimated) rows a table counts as big.</param>
public sealed record LintContext(IReadOnlyDictionary<string, long> RowEstimates, long BigTableRows)
{
    public static LintContext Empty { get; } = new(new Dictionary<string, long>(), 100_000);

    public long? EstimatedRows(string? relation) => relation is not null && RowEstimates.TryGetValue(relation, out var n) ? n : null;

    public bool IsBig(string? relation) => EstimatedRows(relation) is { } n && n >= BigTableRows;
}

/// <summary>A lint rule: one per file, registered in <see cref="MigrationLinter"/>.</summary>
public interface IMigrationLintRule
{
    /// <summary>Stable id, kebab-case; squawk's own name where the rule is squawk's.</summary>
    string Id { get; }

    /// <summary>Severity unless the settings change it.</summary>
    LintSeverity Severity { get; }

    /// <summary>One sentence: what the rule flags and why.</summary>
    string Description { get; }

    /// <summary>squawk rule names whose findings this rule covers (empty when squawk has no such rule).</summary>
    IReadOnlyList<string> Squawk { get; }

    IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context);
}

/// <summary>
/// Base of the built-in rules: metadata plus a finding builder that fills the rule's id, severity and table.
/// The metadata is constructor data (each rule states it once, in its declaration) rather than four overrides a rule.
/// </summary>
/// <param name="squawk">squawk rule names this rule covers; none when omitted.</param>
public abstract class LintRule(string id, LintSeverity severity, string description, IReadOnlyList<string>? squawk = null) : IMigrationLintRule
{
    public string Id { get; } = id;

    public LintSeverity Severity { get; } = severity;

    public string Description { get; } = description;

    public IReadOnlyList<string> Squawk { get; } = squawk ?? [];

    public abstract IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context);

    /// <param name="impact">Overrides what <see cref="StatementLocks"/> says the statement does to the table.</param>
    protected LintFinding Finding(LintStatement s, string message, string hint, TableImpact? impact = null, string? table = null, LintSeverity? severity = null) =>
        new(Id, severity ?? Severity, s.Statement.Index, message, hint) { Impact = impact, Table = table ?? LintTree.Relation(s.Body) };
}
