using Rose.Core.Plans;
using Rose.Core.Sql.Editing;

namespace Rose.Console.Components.Pages.Workbench;

/// <summary>One run as the results panel shows it: what was sent, where it sits in the editor, and what came of it.</summary>
public sealed class RunView
{
    /// <summary>The SQL sent to the pipeline (a statement, the selection, or everything).</summary>
    public required string Sql { get; init; }

    /// <summary>Offset of Sql in the editor text, to map server error positions back to the editor.</summary>
    public int BaseOffset { get; init; }

    /// <summary>The whole editor text at run time, for line/column of error positions.</summary>
    public required string EditorText { get; init; }

    /// <summary>The target it ran on, so a result tab's export re-runs there even after the target changed.</summary>
    public string Target { get; set; } = string.Empty;

    /// <summary>"explain" or "explain analyze" when the run was a plan; null for a plain run.</summary>
    public string? Explain { get; init; }

    public ExecutionOutcome? Outcome { get; set; }

    /// <summary>Input the pipeline refused before classifying (empty SQL, too long) or an unavailable audit log.</summary>
    public string? RequestError { get; set; }

    public string? ApprovalStatus { get; set; }

    public ExplainPlan? Plan { get; set; }

    /// <summary>Error position in the editor text, when the server gave one.</summary>
    public int? EditorErrorOffset => Outcome?.Result?.Error?.Position is { } p ? BaseOffset + p : null;

    /// <summary>
    /// Where the run began when only part of the editor ran (the statement under the cursor, or a selection), as
    /// "line L, column C"; null when everything ran, and for plans (the panel shows the plan instead). The panel
    /// says so because the results and PostgreSQL's messages number the statements of what ran (a DELETE run
    /// alone is "statement 1"), while the badges under the editor number the editor's.
    /// </summary>
    public string? PartStart
    {
        get
        {
            if (Explain is not null || BaseOffset < 0 || BaseOffset > EditorText.Length
                || string.Equals(Sql.Trim(), EditorText.Trim(), StringComparison.Ordinal))
            {
                return null;
            }

            var (line, column) = StatementLocator.ToLineColumn(EditorText, BaseOffset);
            return $"line {line}, column {column}";
        }
    }

    public bool ApprovalDecided => ApprovalStatus is Core.Approvals.ApprovalStatus.Executed or Core.Approvals.ApprovalStatus.Rejected
        or Core.Approvals.ApprovalStatus.Expired or Core.Approvals.ApprovalStatus.Failed;
}
