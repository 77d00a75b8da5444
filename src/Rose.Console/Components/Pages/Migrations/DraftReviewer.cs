using Rose.Core.Sql;

namespace Rose.Console.Components.Pages.Migrations;

/// <summary>
/// Reviews a migration written in the browser with the same parts the runner uses: the file-name
/// rules of <see cref="MigrationNaming"/>, the real parser, the policy and the migration linter
/// (<see cref="MigrationPlanner.PlanScript"/>); and joins it to the folder's set for a run.
/// </summary>
public sealed class DraftReviewer(ISqlClassifier classifier, MigrationPlanner planner)
{
    public async Task<DraftReview> ReviewAsync(string database, MigrationDraft draft, SqlPolicy policy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!MigrationNaming.TryCreate(draft.FileName, draft.Sql, out var script, out var nameError))
        {
            return DraftReview.Empty with { NameError = nameError };
        }

        if (draft.IsEmpty)
        {
            return DraftReview.Empty;
        }

        var target = planner.Target(database);
        var batch = classifier.Classify(draft.Sql);
        var context = await planner.LintContextAsync(target, batch.Statements, ct);
        var planned = planner.PlanScript(script, batch, policy, database, target.Definition.Environment, context);
        var parseErrors = planned.Statements.Where(s => s.ParseError is not null).Select(s => $"statement {s.Index + 1}: {s.ParseError}");
        // An allowed draft's reasons only repeat "allowed"; the others say what blocks or parks it.
        var reasons = planned.Decision == Decision.Allow ? [] : planned.Reasons;
        return new DraftReview(null, planned.Decision, [.. parseErrors, .. reasons], planned.Findings);
    }

    /// <summary>The folder's scripts plus the draft; throws <see cref="MigrationException"/> when the draft clashes with a file.</summary>
    public static MigrationSet Join(MigrationSet folder, MigrationDraft draft)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(draft);
        if (draft.IsEmpty)
        {
            throw new MigrationException("The draft is empty.");
        }

        return MigrationSet.From([.. folder.Scripts.Select(s => (s.FileName, s.Sql)), (draft.FileName, draft.Sql)]);
    }

    /// <summary>A name for a new versioned file: one above the highest version known to the folder or the history.</summary>
    public static string NextName(MigrationSet folder, MigrationStatusReport? status)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var versions = folder.Scripts.Where(s => s.Version is not null).Select(s => s.Version!.Text)
            .Concat(status?.Entries.Where(e => e.Version is not null).Select(e => e.Version!) ?? []);
        var highest = versions.Select(v => int.TryParse(v.Split('.', '_')[0], out var n) ? n : 0).DefaultIfEmpty(0).Max();
        return $"V{highest + 1}__new_migration.sql";
    }
}
