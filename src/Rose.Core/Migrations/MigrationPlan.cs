using Rose.Core.Migrations.Lint;

namespace Rose.Core.Migrations;

/// <summary>A statement of a planned migration: how the parser classified it and what the policy decided.</summary>
public sealed record PlannedStatement(
    int Index,
    string Tag,
    StatementKind Kind,
    IReadOnlyList<string> Operations,
    IReadOnlyList<string> Objects,
    bool Destructive,
    bool NoTransaction,
    Decision Decision,
    IReadOnlyList<string> Reasons,
    string Text,
    string? ParseError);

/// <summary>A migration that would run, with its statements, decision and lint findings.</summary>
/// <param name="AllOrNothing">False when it holds a statement PostgreSQL cannot run in a transaction: it runs alone and a failure may leave part of it.</param>
public sealed record PlannedMigration(
    MigrationScript Script,
    SqlBatch Batch,
    bool AllOrNothing,
    Decision Decision,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<PlannedStatement> Statements,
    IReadOnlyList<LintFinding> Findings);

/// <summary>What an apply would do now: the status, the migrations in order, and what stops it.</summary>
public sealed record MigrationPlan(
    string Database,
    MigrationStatusReport Status,
    IReadOnlyList<PlannedMigration> Migrations,
    Decision Decision,
    IReadOnlyList<string> Blockers)
{
    public bool UpToDate => Migrations.Count == 0;

    /// <summary>Every pending migration together (what parks as one approval request).</summary>
    public IReadOnlyList<string> Reasons => [.. Migrations.Where(m => m.Decision == Decision).SelectMany(m => m.Reasons.Select(r => $"{m.Script.FileName}: {r}"))];
}
