using Rose.Core.Sql;

namespace Rose.Console.Components.Pages.Migrations;

/// <summary>
/// Migrations of a target's folder (Rose:Targets:&lt;name&gt;:MigrationsPath): status for viewers; plan
/// with lint, dry run and apply (with live progress) for operators; snapshots, and a restore request
/// for admins; a migration written in the browser (<see cref="MigrationAuthor"/>) planned, dry-run or
/// applied through the same runner. The chosen database lives in the query string.
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
    [Inject] private ISqlClassifier Classifier { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private PrerenderHandoff Handoff { get; set; } = default!;

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
    private bool planWithDraft;
    private DraftReview draftReview = DraftReview.Empty;
    private string? error;
    private string? folderNote;

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
        (set, status, snapshotList, error, folderNote) = await Handoff.TakeOrLoadAsync("migrations:" + Database, !RendererInfo.IsInteractive, async () =>
        {
            await LoadAsync();
            return new Loaded(set, status, snapshotList, error, folderNote);
        });
    }

    /// <summary>What <see cref="LoadAsync"/> read, handed from the prerender to the interactive render (<see cref="PrerenderHandoff"/>).</summary>
    private sealed record Loaded(MigrationSet Set, MigrationStatusReport? Status, IReadOnlyList<MigrationSnapshot> Snapshots, string? Error, string? FolderNote);

    private async Task LoadAsync()
    {
        error = null;
        folderNote = null;
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
                // Without a folder the page still shows what the target's history holds, and the
                // editor below can still write a migration: no folder configured is a note; a
                // configured folder that is missing or holds bad files is an error.
                set = MigrationSet.Empty;
                if (Targets.TryGet(Database, out var target) && string.IsNullOrWhiteSpace(target.Definition.MigrationsPath))
                {
                    folderNote = $"Target '{Database}' has no migrations folder (Rose:Targets:{Database}:MigrationsPath): the status shows its history only.";
                }
                else
                {
                    error = ex.Message;
                }
            }

            status = await Planner.StatusAsync(Database, set, disposed.Token);
            snapshotList = Snapshots.List(Database);
        }
        catch (Exception ex) when (ex is MigrationException or Core.Errors.DatabaseException)
        {
            error = ex.Message;
        }
    }

    private void OnDatabaseChanged(string value) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("database", value));

    private async Task PlanAsync(MigrationSet runSet)
    {
        if (Database is null)
        {
            return;
        }

        try
        {
            plan = await Planner.PlanAsync(Database, runSet, await Identity.PolicyForAsync(user, disposed.Token), disposed.Token);
            planWithDraft = !ReferenceEquals(runSet, set);
        }
        catch (Exception ex) when (ex is MigrationException or Core.Errors.DatabaseException)
        {
            error = ex.Message;
        }
    }

    private async Task ApplyAsync(MigrationSet runSet, bool dryRun)
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
        var withDraft = !ReferenceEquals(runSet, set);
        try
        {
            var reason = (dryRun ? "dry run" : "applied") + (withDraft ? " from the console's migration editor" : " from the console");
            var request = new MigrationRunRequest(Database, runSet, CurrentIdentity.ToActor(user),
                await Identity.PolicyForAsync(user, disposed.Token), reason, dryRun);
            result = await Task.Run(() => Runner.ApplyAsync(request, progress, disposed.Token));
            plan = result.Plan ?? plan;
            planWithDraft = withDraft && result.Plan is not null;
            Snackbar.Add(MigrationLabels.ResultText(result), MigrationLabels.ResultSeverity(result));
            await LoadAsync();
        }
        catch (Exception ex) when (ex is MigrationException or Core.Errors.DatabaseException)
        {
            error = ex.Message;
        }
        finally
        {
            running = false;
        }
    }

    /// <summary>Lint and policy for the draft, as the author types (debounced by the editor).</summary>
    private async Task ReviewDraftAsync(MigrationDraft draft)
    {
        if (Database is null)
        {
            return;
        }

        try
        {
            draftReview = await new DraftReviewer(Classifier, Planner).ReviewAsync(Database, draft, await Identity.PolicyForAsync(user, disposed.Token), disposed.Token);
        }
        catch (Exception ex) when (ex is MigrationException or Core.Errors.DatabaseException)
        {
            draftReview = DraftReview.Empty with { Reasons = [ex.Message] };
        }
    }

    private async Task PlanDraftAsync(MigrationDraft draft)
    {
        if (JoinDraft(draft) is { } joined)
        {
            await PlanAsync(joined);
            if (plan is not null)
            {
                Snackbar.Add($"Plan with the draft: {MigrationLabels.DecisionName(plan.Decision)}, {plan.Migrations.Count} migration(s); the details are above the tabs.", Severity.Info);
            }
        }
    }

    private async Task ApplyDraftAsync(MigrationDraft draft, bool dryRun)
    {
        if (JoinDraft(draft) is { } joined)
        {
            await ApplyAsync(joined, dryRun);
        }
    }

    private MigrationSet? JoinDraft(MigrationDraft draft)
    {
        try
        {
            error = null;
            return DraftReviewer.Join(set, draft);
        }
        catch (MigrationException ex)
        {
            error = ex.Message;
            return null;
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
            var outcome = await Sources.RequestRestoreAsync(Database, name, CurrentIdentity.ToActor(user), disposed.Token);
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
