namespace Rose.Console.Components.Pages.Migrations;

/// <summary>A migration written in the browser: the file name it would have and its SQL.</summary>
public sealed record MigrationDraft(string FileName, string Sql)
{
    public bool IsEmpty => string.IsNullOrWhiteSpace(Sql);
}

/// <summary>What the linter and the policy say about a draft; <see cref="NameError"/> when the file name is not a migration name.</summary>
public sealed record DraftReview(
    string? NameError,
    Rose.Core.Policy.Decision? Decision,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<Rose.Core.Migrations.Lint.LintFinding> Findings)
{
    public static DraftReview Empty { get; } = new(null, null, [], []);
}
