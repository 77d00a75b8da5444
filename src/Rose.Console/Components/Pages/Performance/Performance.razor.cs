using Rose.Console.Components.Pages.Workbench;
using Rose.Core.Advisor;
using Rose.Core.Plans;

namespace Rose.Console.Components.Pages.Performance;

/// <summary>
/// The performance advisor of one database: slow queries with their plans, index advice proven
/// with hypopg, health checks. A recommendation is created only through the pipeline, under the
/// signed-in user's own policy, so the policy and the approval flow decide.
/// </summary>
public partial class Performance
{
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private SlowQueryService SlowQueries { get; set; } = default!;
    [Inject] private IndexAdvisor Advisor { get; set; } = default!;
    [Inject] private HealthCheckService Health { get; set; } = default!;
    [Inject] private QueryPlanService Plans { get; set; } = default!;
    [Inject] private ExecutionService Execution { get; set; } = default!;
    [Inject] private IndexMigrationWriter MigrationWriter { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Auth { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private PrerenderHandoff Handoff { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "database")] public string? Database { get; set; }

    private ClaimsPrincipal user = new();
    private Actor? executor;
    private SlowQueryReport? slow;
    private IndexAdvice? advice;
    private HealthReport? health;
    private ExplainPlan? plan;
    private string? planQuery;
    private string? typed;
    private IndexMigrationFile? written;
    private bool busy;
    private string? message;
    private bool messageIsError;

    // A full load: every panel of the page belongs to one database and starts over for another.
    private void OnDatabaseChanged(string value) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("database", value), forceLoad: true);

    protected override async Task OnInitializedAsync()
    {
        user = (await Auth.GetAuthenticationStateAsync()).User;
        executor = CurrentIdentity.ToActor(user);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (string.IsNullOrEmpty(Database) || !Targets.TryGet(Database, out _))
        {
            Database = Targets.All.FirstOrDefault()?.Name ?? string.Empty;
        }

        slow = null;
        advice = null;
        health = null;
        plan = null;
        (slow, message, messageIsError) = await Handoff.TakeOrLoadAsync("performance:" + Database, !RendererInfo.IsInteractive, async () =>
        {
            if (Database.Length > 0)
            {
                await GuardAsync(async () => slow = await SlowQueries.TopAsync(executor!, Database, 20, CancellationToken.None));
            }

            return new Loaded(slow, message, messageIsError);
        });
    }

    /// <summary>What the first load read, handed from the prerender to the interactive render (<see cref="PrerenderHandoff"/>).</summary>
    private sealed record Loaded(SlowQueryReport? Slow, string? Message, bool MessageIsError);

    private Task ExplainAsync(string query) => GuardAsync(async () =>
    {
        var (json, error) = await Plans.ExplainAsync(executor!, Channel.Workbench, Database!, query, CancellationToken.None);
        plan = json is null ? null : ExplainPlan.Parse(json);
        planQuery = query;
        Say(error, isError: error is not null);
    });

    /// <summary>EXPLAIN (ANALYZE, BUFFERS) through the pipeline under the user's own policy: a write may be denied or parked.</summary>
    private Task MeasureAsync(string query) => GuardAsync(async () =>
    {
        var policy = await Identity.PolicyForAsync(user, CancellationToken.None);
        var run = await Plans.ExplainAnalyzeAsync(executor!, Channel.Workbench, Database!, query, policy, "performance advisor: measure a plan", CancellationToken.None);
        switch (run.Status)
        {
            case OutcomeStatus.Succeeded when run.PlanJson is not null:
                plan = ExplainPlan.Parse(run.PlanJson);
                planQuery = query;
                Say(null, false);
                break;
            case OutcomeStatus.PendingApproval:
                Say($"EXPLAIN ANALYZE runs the statement, and your policy requires approval for it: approval request #{run.ApprovalId} created (see Approvals).", false);
                break;
            case OutcomeStatus.Denied:
                Say("Denied by your policy (EXPLAIN ANALYZE runs the statement): " + string.Join("; ", run.Reasons), true);
                break;
            default:
                Say("The statement could not be measured: " + (run.Error ?? run.Status.ToString()), true);
                break;
        }
    });

    private Task AdviseAsync(IReadOnlyList<string> queries) => GuardAsync(async () =>
        advice = await Advisor.ForQueriesAsync(executor!, Channel.Workbench, Database!, queries, CancellationToken.None));

    private Task AdviseWorkloadAsync() => GuardAsync(async () =>
        advice = await Advisor.ForWorkloadAsync(executor!, Channel.Workbench, Database!, 10, CancellationToken.None));

    private Task CheckHealthAsync() => GuardAsync(async () =>
        health = await Health.CheckAsync(executor!, Database!, CancellationToken.None));

    /// <summary>Sends the CREATE INDEX CONCURRENTLY through the pipeline under the user's own policy.</summary>
    private Task CreateAsync(IndexRecommendation recommendation) => GuardAsync(async () =>
    {
        var policy = await Identity.PolicyForAsync(user, CancellationToken.None);
        var outcome = await Execution.ExecuteAsync(new ExecutionRequest(executor!, Channel.Workbench, Database!, recommendation.CreateIndexSql,
            $"performance advisor: index on {recommendation.Table} ({string.Join(", ", recommendation.Columns)})", policy), null, CancellationToken.None);
        switch (outcome.Status)
        {
            case OutcomeStatus.PendingApproval:
                Say($"Approval request #{outcome.ApprovalId} created; the index is built once it is approved (see Approvals).", false);
                break;
            case OutcomeStatus.Succeeded:
                Say($"Index created (audit #{outcome.AuditId}).", false);
                break;
            case OutcomeStatus.Denied:
                Say("Denied by your policy: " + string.Join("; ", outcome.Reasons), true);
                break;
            default:
                Say($"The index was not created: {outcome.Result?.Error?.Message ?? outcome.Status.ToString()}", true);
                break;
        }
    });

    /// <summary>Writes the recommendation as the target's next migration; it is applied later from Migrations, through the pipeline.</summary>
    private Task WriteMigrationAsync(IndexRecommendation recommendation) => GuardAsync(async () =>
    {
        written = await MigrationWriter.WriteAsync(executor!, Channel.Workbench, Database!, recommendation, CancellationToken.None);
        Say(null, false);
    });

    private async Task GuardAsync(Func<Task> action)
    {
        busy = true;
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is AdvisorRequestException or ExecutionRequestException or Rose.Core.Audit.AuditUnavailableException)
        {
            Say(ex.Message, true);
        }
        finally
        {
            busy = false;
        }
    }

    private void Say(string? text, bool isError)
    {
        message = text;
        messageIsError = isError;
    }

    private static Color StatusColor(string status) => status switch
    {
        HealthStatus.Ok => Color.Success,
        HealthStatus.Warning => Color.Warning,
        _ => Color.Error,
    };
}
