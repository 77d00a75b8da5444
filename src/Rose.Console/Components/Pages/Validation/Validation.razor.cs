using Microsoft.JSInterop;
using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Console.Components.Pages.Validation;

/// <summary>One point of the trend chart: a run's counts.</summary>
public sealed record TrendPoint(string Label, int Pass, int Warn, int Fail, int Error);

/// <summary>
/// The validation dashboard of one database: health of the latest run, trend over runs, checks
/// failing first with drill-down, the schema audit with remediation SQL, and suggested checks.
/// Database and check are in the query string so a view can be shared.
/// </summary>
public partial class Validation
{
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private ValidationRunner Runner { get; set; } = default!;
    [Inject] private ValidationRunStore Runs { get; set; } = default!;
    [Inject] private ValidationResultStore ResultStore { get; set; } = default!;
    [Inject] private ValidationFindingStore FindingStore { get; set; } = default!;
    [Inject] private ValidationCheckStore CheckStore { get; set; } = default!;
    [Inject] private TargetReader Reader { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Auth { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private PrerenderHandoff Handoff { get; set; } = default!;
    [Inject] private IJSRuntime Js { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "database")] public string? Database { get; set; }
    [SupplyParameterFromQuery(Name = "check")] public string? Check { get; set; }

    private ClaimsPrincipal user = new();
    private ValidationRun? latest;
    private ValidationSummary? summary;
    private IReadOnlyList<StoredResult> results = [];
    private IReadOnlyList<SchemaFinding> findings = [];
    private IReadOnlyList<StoredResult> history = [];
    private List<TrendPoint> trend = [];
    private List<SuggestedCheck>? suggestions;
    private bool running;
    private bool suggesting;
    private readonly List<string> progressLog = [];
    private int progressDone;
    private int progressTotal;
    private string? progressText;
    private string? message;
    private bool messageIsError;

    private bool CanRun => user.IsInRole(RoseRoles.Operator);

    private string Health => summary?.Health ?? latest?.Status switch
    {
        RunStatus.Error => CheckStatus.Error,
        RunStatus.Abandoned => RunStatus.Abandoned,
        _ => "unknown",
    };

    protected override async Task OnInitializedAsync() => user = (await Auth.GetAuthenticationStateAsync()).User;

    protected override async Task OnParametersSetAsync()
    {
        if (string.IsNullOrEmpty(Database) || !Targets.TryGet(Database, out _))
        {
            Database = Targets.All.FirstOrDefault()?.Name ?? string.Empty;
        }

        suggestions = null;
        (latest, summary, results, findings, history, trend) = await Handoff.TakeOrLoadAsync(
            "validation:" + Database + "\u001f" + Check, !RendererInfo.IsInteractive, async () =>
            {
                await LoadAsync(CancellationToken.None);
                return new Loaded(latest, summary, results, findings, history, trend);
            });
    }

    /// <summary>What <see cref="LoadAsync"/> read, handed from the prerender to the interactive render (<see cref="PrerenderHandoff"/>).</summary>
    private sealed record Loaded(ValidationRun? Latest, ValidationSummary? Summary, IReadOnlyList<StoredResult> Results,
        IReadOnlyList<SchemaFinding> Findings, IReadOnlyList<StoredResult> History, List<TrendPoint> Trend);

    private async Task LoadAsync(CancellationToken ct)
    {
        var runs = await Runs.ListAsync(Database, 30, ct);
        latest = runs.FirstOrDefault(r => r.FinishedAt is not null);
        summary = latest?.SummaryJson is { } json ? JsonSerializer.Deserialize<ValidationSummary>(json) : null;
        results = latest is null ? [] : await ResultStore.ForRunAsync(latest.Id, ct);
        findings = latest is null ? [] : await FindingStore.ForRunAsync(latest.Id, ct);
        history = Check is null ? [] : await ResultStore.HistoryAsync(Database!, Check, 30, ct);
        trend = runs.Where(r => r.SummaryJson is not null).Reverse().Select(r =>
        {
            var s = JsonSerializer.Deserialize<ValidationSummary>(r.SummaryJson!)!;
            return new TrendPoint($"#{r.Id} {r.StartedAt:MM-dd HH:mm}", s.Pass, s.Warn, s.Fail, s.Error);
        }).ToList();
    }

    private async Task RunAsync()
    {
        running = true;
        progressLog.Clear();
        progressDone = 0;
        progressTotal = 0;
        progressText = $"Starting the run of {Database}…";
        message = null;
        StateHasChanged();
        try
        {
            var database = Database!;
            var executor = CurrentIdentity.ToActor(user);
            // Off the circuit's dispatcher, so progress renders while the run works.
            var report = await Task.Run(() => Runner.RunAsync(database, executor, new PageProgress(this), CancellationToken.None));
            var text = $"Run #{report.RunId}: {report.Summary.Fail} failing, {report.Summary.Warn} warnings, {report.Summary.Error} errors, {report.Findings.Count} audit findings.";
            if (report.Status != RunStatus.Completed)
            {
                message = text;
                messageIsError = true;
            }
            else
            {
                Snackbar.Add(text, report.Summary.Fail + report.Summary.Error > 0 ? Severity.Warning : Severity.Success);
            }
            await LoadAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is Rose.Core.Errors.DatabaseException or Rose.Core.Audit.AuditUnavailableException or ValidationException or TimeoutException)
        {
            message = "The run could not complete: " + ex.Message;
            messageIsError = true;
        }
        finally
        {
            running = false;
        }
    }

    /// <summary>Mutates render state on the circuit's dispatcher, never on the runner's thread.</summary>
    private void OnProgress(ValidationProgress p) => _ = InvokeAsync(() =>
    {
        progressDone = p.Done;
        progressTotal = p.Total;
        progressText = p.ToString();
        progressLog.Add(p.ToString());
        StateHasChanged();
    });

    private async Task SuggestAsync()
    {
        suggesting = true;
        try
        {
            var catalog = await TargetCatalog.LoadAsync(Reader, CurrentIdentity.ToActor(user), Database!, CancellationToken.None);
            var accepted = (await CheckStore.ListAsync(Database!, enabledOnly: false, CancellationToken.None)).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
            var builtIn = ValidationRunner.Plan(catalog, []).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
            suggestions = CheckSuggester.Suggest(catalog)
                .Where(s => !accepted.Contains(s.Definition.Key) && !(builtIn.Contains(s.Definition.Key) && s.Definition.Kind == CheckKinds.RowCount))
                .ToList();
        }
        catch (ValidationException ex)
        {
            message = ex.Message;
            messageIsError = true;
        }
        finally
        {
            suggesting = false;
        }
    }

    private async Task AcceptAsync(SuggestedCheck suggestion)
    {
        await CheckStore.UpsertAsync(Database!, suggestion.Definition, CurrentIdentity.ToActor(user).Id, CancellationToken.None);
        suggestions?.Remove(suggestion);
        Snackbar.Add($"Accepted: {suggestion.Definition.Describe}. It runs from the next run on.", Severity.Success);
    }

    private async Task CopyAsync(string text)
    {
        await Js.InvokeVoidAsync("navigator.clipboard.writeText", text);
        Snackbar.Add("Copied the remediation SQL.", Severity.Info);
    }

    private void OnDatabaseChanged(string value) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters("/validation", new Dictionary<string, object?> { ["database"] = value, ["check"] = null }));

    private string CheckLink(string key) =>
        Navigation.GetUriWithQueryParameters("/validation", new Dictionary<string, object?> { ["database"] = Database, ["check"] = key });

    /// <summary>Runner progress straight into the page (the runner reports from a pool thread).</summary>
    private sealed class PageProgress(Validation page) : IProgress<ValidationProgress>
    {
        public void Report(ValidationProgress value) => page.OnProgress(value);
    }
}
