using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Radzen;
using Rose.Console.Auth;
using Rose.Core.Migrations;
using Rose.Core.Migrations.Lint;
using Rose.Core.Policy;
using Rose.Core.Targets;

namespace Rose.Console.Components.Pages.Migrations;

/// <summary>
/// Migrations of a target's folder (Rose:Targets:&lt;name&gt;:MigrationsPath): status for viewers; plan
/// with lint, dry run and apply (with live progress) for operators; snapshots, and a restore request
/// for admins. The chosen database lives in the query string.
/// </summary>
public partial class Migrations : IDisposable
{
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private MigrationSources Sources { get; set; } = default!;
    [Inject] private MigrationPlanner Planner { get; set; } = default!;
    [Inject] private MigrationRunner Runner { get; set; } = default!;
    [Inject] private MigrationSnapshots Snapshots { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Auth { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "database")] public string? Database { get; set; }

    private readonly CancellationTokenSource disposed = new();
    private ClaimsPrincipal user = new();
    private IReadOnlyList<string> targets = [];
    private MigrationSet set = MigrationSet.Empty;
    private MigrationStatusReport? status;
    private MigrationPlan? plan;
    private MigrationRunResult? result;
    private IReadOnlyList<MigrationSnapshot> snapshotList = [];
    private readonly List<string> progressLog = [];
    private int progressDone;
    private int progressTotal;
    private bool running;
    private string? error;

    private bool CanApply => user.IsInRole(RoseRoles.Operator);

    private bool IsAdmin => user.IsInRole(RoseRoles.Admin);

    protected override async Task OnInitializedAsync()
    {
        user = (await Auth.GetAuthenticationStateAsync()).User;
        targets = [.. Targets.All.Select(t => t.Name)];
    }

    protected override async Task OnParametersSetAsync()
    {
        Database = string.IsNullOrEmpty(Database) ? targets.FirstOrDefault() : Database;
        plan = null;
        result = null;
        progressLog.Clear();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        error = null;
        if (Database is null)
        {
            error = "No target databases are configured.";
            return;
        }

        try
        {
            try
            {
                set = await Sources.ResolveAsync(Database, null, disposed.Token);
            }
            catch (MigrationException ex)
            {
                // Without a folder the page still shows what the target's history holds.
                set = MigrationSet.Empty;
                error = ex.Message;
            }

            status = await Planner.StatusAsync(Database, set, disposed.Token);
            snapshotList = Snapshots.List(Database);
        }
        catch (Exception ex) when (ex is MigrationException or Npgsql.NpgsqlException)
        {
            error = ex.Message;
        }
    }

    private async Task PlanAsync()
    {
        if (Database is null)
        {
            return;
        }

        try
        {
            plan = await Planner.PlanAsync(Database, set, await Identity.PolicyForAsync(user, disposed.Token), disposed.Token);
        }
        catch (Exception ex) when (ex is MigrationException or Npgsql.NpgsqlException)
        {
            error = ex.Message;
        }
    }

    private async Task ApplyAsync(bool dryRun)
    {
        if (Database is null || !CanApply)
        {
            return;
        }

        running = true;
        result = null;
        progressLog.Clear();
        progressDone = 0;
        progressTotal = 0;
        var progress = new PageProgress(this);
        try
        {
            var request = new MigrationRunRequest(Database, set, CurrentIdentity.ToExecutor(user),
                await Identity.PolicyForAsync(user, disposed.Token), dryRun ? "dry run from the console" : "applied from the console", dryRun);
            result = await Task.Run(() => Runner.ApplyAsync(request, progress, disposed.Token));
            plan = result.Plan ?? plan;
            await LoadAsync();
        }
        catch (Exception ex) when (ex is MigrationException or Npgsql.NpgsqlException)
        {
            error = ex.Message;
        }
        finally
        {
            running = false;
        }
    }

    private async Task RestoreAsync(string name)
    {
        if (Database is null || !IsAdmin)
        {
            return;
        }

        try
        {
            var outcome = await Sources.RequestRestoreAsync(Database, name, CurrentIdentity.ToExecutor(user), disposed.Token);
            result = new MigrationRunResult(outcome.Status == Core.Execution.OutcomeStatus.PendingApproval ? MigrationRunStatus.PendingApproval : MigrationRunStatus.Denied,
                Database, [], ApprovalId: outcome.ApprovalId, Reasons: outcome.Reasons);
        }
        catch (Exception ex) when (ex is MigrationException or Core.Execution.ExecutionRequestException)
        {
            error = ex.Message;
        }
    }

    /// <summary>Mutates render state on the circuit's dispatcher, never on the runner's thread.</summary>
    private void OnProgress(MigrationProgress p) => _ = InvokeAsync(() =>
    {
        progressDone = p.Done;
        progressTotal = p.Total;
        progressLog.Add(p.Message);
        StateHasChanged();
    });

    private static string ResultText(MigrationRunResult r) => r.Status switch
    {
        MigrationRunStatus.Succeeded when r.DryRun => $"Dry run succeeded: {r.Applied.Count} migration(s) tried and rolled back.",
        MigrationRunStatus.Succeeded => r.Applied.Count == 0 ? "Up to date: nothing to apply." : $"Applied {r.Applied.Count} migration(s).",
        MigrationRunStatus.PendingApproval => "Waiting for approval: nothing was applied.",
        MigrationRunStatus.Denied => "Denied: " + string.Join("; ", r.Reasons ?? []),
        _ => "Failed: " + r.Error,
    };

    private static string StateName(MigrationState s) => s == MigrationState.OutOfOrder ? "out_of_order" : s.ToString().ToLowerInvariant();

    private static BadgeStyle StateStyle(MigrationState s) => s switch
    {
        MigrationState.Applied => BadgeStyle.Success,
        MigrationState.Pending => BadgeStyle.Info,
        MigrationState.Missing => BadgeStyle.Warning,
        _ => BadgeStyle.Danger,
    };

    private static BadgeStyle DecisionStyle(Decision d) => d switch
    {
        Decision.Allow => BadgeStyle.Success,
        Decision.Approval => BadgeStyle.Warning,
        _ => BadgeStyle.Danger,
    };

    private static BadgeStyle SeverityStyle(LintSeverity s) => s switch
    {
        LintSeverity.Error => BadgeStyle.Danger,
        LintSeverity.Warning => BadgeStyle.Warning,
        _ => BadgeStyle.Info,
    };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runner progress straight into the page (the runner reports from a pool thread).</summary>
    private sealed class PageProgress(Migrations page) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => page.OnProgress(value);
    }
}
