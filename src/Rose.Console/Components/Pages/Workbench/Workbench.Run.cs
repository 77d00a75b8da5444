using Microsoft.JSInterop;
using Rose.Core.Export;
using Rose.Core.Plans;
using Rose.Core.Sql.Editing;

namespace Rose.Console.Components.Pages.Workbench;

/// <summary>Running, cancelling, EXPLAIN, CSV export and approval polling.</summary>
public partial class Workbench
{
    private static readonly TimeSpan ApprovalPollInterval = TimeSpan.FromSeconds(2);

    private CancellationTokenSource? runCts;
    private bool running;
    private RunView? run;

    /// <summary>What the editor would run: the selection, the statement under the cursor, or everything.</summary>
    private async Task<(string Sql, int Offset, string Text)?> PickSqlAsync(bool all)
    {
        if (module is null || target is null)
        {
            return null;
        }

        var info = await module.InvokeAsync<EditorRunInfo>("runInfo", lifetime.Token, "wb-editor");
        if (string.IsNullOrWhiteSpace(info.Text))
        {
            return null;
        }

        if (all)
        {
            return (info.Text, 0, info.Text);
        }

        if (info.SelectionEnd > info.SelectionStart)
        {
            return (info.Text[info.SelectionStart..info.SelectionEnd], info.SelectionStart, info.Text);
        }

        // The parser's own statement boundaries, so semicolons in strings or comments never split wrongly.
        var (batch, _) = Execution.Preview(target, info.Text, policy);
        var statement = StatementLocator.At(batch, info.Cursor);
        return statement is null ? null : (statement.Text, statement.Start, info.Text);
    }

    private async Task RunAsync(bool all)
    {
        if (running || await PickSqlAsync(all) is not { } pick)
        {
            return;
        }

        await ExecuteAsync(new RunView { Sql = pick.Sql, BaseOffset = pick.Offset, EditorText = pick.Text });
    }

    private async Task ExplainAsync(bool analyze)
    {
        if (running || await PickSqlAsync(all: false) is not { } pick)
        {
            return;
        }

        // A statement that already is an EXPLAIN runs as written: wrapping it again is a syntax error.
        if (IsLoneExplain(pick.Sql))
        {
            await ExecuteAsync(new RunView { Sql = pick.Sql, BaseOffset = pick.Offset, EditorText = pick.Text });
            return;
        }

        // The policy judges the wrapped statement: EXPLAIN ANALYZE carries the inner statement's operations.
        var prefix = analyze ? "EXPLAIN (ANALYZE, FORMAT JSON) " : "EXPLAIN (FORMAT JSON) ";
        var inner = pick.Sql.Trim().TrimEnd(';');
        var leading = pick.Sql.Length - pick.Sql.TrimStart().Length;
        await ExecuteAsync(new RunView
        {
            Sql = prefix + inner,
            BaseOffset = pick.Offset + leading - prefix.Length,
            EditorText = pick.Text,
            Explain = analyze ? "explain analyze" : "explain",
        });
    }

    private async Task ExecuteAsync(RunView view)
    {
        running = true;
        view.Target = target!;
        run = view;
        runCts = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
        await SetMarkersAsync(RunOwner, []);
        StateHasChanged();
        try
        {
            view.Outcome = await Execution.ExecuteAsync(
                new ExecutionRequest(executor!, Channel.Workbench, target!, view.Sql, NullIfBlank(reason), policy), null, runCts.Token);
            view.Plan = PlanOf(view);

            if (view.Outcome.Status == OutcomeStatus.PendingApproval && view.Outcome.ApprovalId is { } approvalId)
            {
                view.ApprovalStatus = ApprovalStatus.Pending;
                _ = PollApprovalAsync(view, approvalId);
            }

            if (view.EditorErrorOffset is { } offset && view.Outcome.Result?.Error is { } error)
            {
                await SetMarkersAsync(RunOwner, [new EditorMarker(offset, 1, $"{error.SqlState}: {error.Message}")]);
            }
        }
        catch (Exception ex) when (ex is ExecutionRequestException or AuditUnavailableException)
        {
            view.RequestError = ex.Message;
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            running = false;
            runCts.Dispose();
            runCts = null;
        }

        historyVersion++;
        StateHasChanged();
    }

    private void Cancel() => runCts?.Cancel();

    private bool IsLoneExplain(string sql)
    {
        try
        {
            return Execution.Preview(target!, sql, policy).Batch.Statements is [{ Tag: "EXPLAIN" }];
        }
        catch (ExecutionRequestException)
        {
            return false;
        }
    }

    /// <summary>
    /// The plan to draw: the Explain buttons' JSON output, or the output of one EXPLAIN typed by hand
    /// (text or JSON format), so EXPLAIN ANALYZE written in the editor renders as a tree too.
    /// </summary>
    private static ExplainPlan? PlanOf(RunView view)
    {
        if (view.Outcome?.Result?.Statements is not [{ Rows.Count: > 0, Columns.Count: 1 } statement])
        {
            return null;
        }

        if (view.Explain is not null)
        {
            return ExplainPlan.Parse(string.Concat(statement.Rows.Select(r => r[0])));
        }

        if (statement.Tag != "EXPLAIN" || statement.Truncated)
        {
            return null;
        }

        var lines = statement.Rows.Select(r => r[0]).ToList();
        return lines is [{ } json] && json.TrimStart().StartsWith('[') ? ExplainPlan.Parse(json) : ExplainTextPlan.Parse(lines);
    }

    /// <summary>Polls the approval until it is decided or the page closes, so the status updates live.</summary>
    private async Task PollApprovalAsync(RunView view, long approvalId)
    {
        using var timer = new PeriodicTimer(ApprovalPollInterval);
        try
        {
            while (!view.ApprovalDecided && await timer.WaitForNextTickAsync(lifetime.Token))
            {
                var approval = await Approvals.GetAsync(approvalId, lifetime.Token);
                if (approval is null)
                {
                    return;
                }

                var status = approval.IsExpired(DateTimeOffset.UtcNow) ? ApprovalStatus.Expired : approval.Status;
                if (status != view.ApprovalStatus)
                {
                    view.ApprovalStatus = status;
                    await InvokeAsync(StateHasChanged);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed: polling ends with it.
        }
    }

    /// <summary>Parks the statement under a one-time token and lets the browser download the CSV stream.</summary>
    private async Task ExportAsync()
    {
        if (running || executor is null || await PickSqlAsync(all: false) is not { } pick)
        {
            return;
        }

        var token = await ExportTokens.CreateAsync(executor.Id, target!, pick.Sql, NullIfBlank(reason), ct: lifetime.Token);
        await module!.InvokeVoidAsync("download", lifetime.Token, "/workbench/export/" + token);
        historyVersion++;
    }

    /// <summary>
    /// A result tab's export: the run's SQL again, streaming only that statement's rows. The panel offers it
    /// for read-only batches only, since the whole batch runs again.
    /// </summary>
    private async Task ExportResultAsync(int statement)
    {
        if (running || executor is null || module is null || run is null || run.Explain is not null)
        {
            return;
        }

        var token = await ExportTokens.CreateAsync(executor.Id, run.Target, run.Sql, NullIfBlank(reason), statement, lifetime.Token);
        await module.InvokeVoidAsync("download", lifetime.Token, "/workbench/export/" + token);
        historyVersion++;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Editor state read from the JS module.</summary>
    private sealed record EditorRunInfo(string Text, int SelectionStart, int SelectionEnd, int Cursor);
}
