using Microsoft.Extensions.Primitives;

namespace Rose.Console.Components.Pages.Audit;

public partial class Audit
{
    [Inject] private AuditReader Reader { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private PrerenderHandoff Handoff { get; set; } = default!;

    // Each filter is its own query parameter so the framework re-runs OnParametersSetAsync on every URL change.
    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "database")] public string? Database { get; set; }
    [SupplyParameterFromQuery(Name = "executor")] public string? Executor { get; set; }
    [SupplyParameterFromQuery(Name = "kind")] public string? Kind { get; set; }
    [SupplyParameterFromQuery(Name = "channel")] public string? Channel { get; set; }
    [SupplyParameterFromQuery(Name = "operation")] public string? Operation { get; set; }
    [SupplyParameterFromQuery(Name = "decision")] public string? Decision { get; set; }
    [SupplyParameterFromQuery(Name = "status")] public string? Status { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? Q { get; set; }
    [SupplyParameterFromQuery(Name = "limit")] public string? Limit { get; set; }
    [SupplyParameterFromQuery(Name = "before")] public string? Before { get; set; }
    [SupplyParameterFromQuery(Name = "after")] public string? After { get; set; }
    [SupplyParameterFromQuery(Name = "detail")] public string? DetailParam { get; set; }

    private long? Detail => long.TryParse(DetailParam, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private AuditFilter filter = new();
    private AuditPage? page;
    private AuditEntry? detail;
    private long? parkedApproval;
    private IReadOnlyList<(long Id, string Title)> devlogs = [];
    private string? error;

    protected override async Task OnParametersSetAsync()
    {
        filter = AuditQueryString.Parse(new Dictionary<string, StringValues>
        {
            ["from"] = From, ["to"] = To, ["database"] = Database, ["executor"] = Executor, ["kind"] = Kind,
            ["channel"] = Channel, ["operation"] = Operation, ["decision"] = Decision, ["status"] = Status,
            ["q"] = Q, ["limit"] = Limit, ["before"] = Before, ["after"] = After,
        });
        error = null;
        (page, detail, parkedApproval, devlogs, error) = await Handoff.TakeOrLoadAsync(
            "audit:" + AuditQueryString.Url("audit", filter, Detail), !RendererInfo.IsInteractive, async () =>
            {
                await LoadAsync();
                return new Loaded(page, detail, parkedApproval, devlogs, error);
            });
    }

    /// <summary>What <see cref="LoadAsync"/> read, handed from the prerender to the interactive render (<see cref="PrerenderHandoff"/>).</summary>
    private sealed record Loaded(AuditPage? Page, AuditEntry? Detail, long? ParkedApproval, IReadOnlyList<(long Id, string Title)> Devlogs, string? Error);

    private async Task LoadAsync()
    {
        try
        {
            page = await Reader.PageAsync(filter, CancellationToken.None);
            detail = Detail is { } id ? page.Entries.FirstOrDefault(e => e.Id == id) ?? await Reader.GetAsync(id, CancellationToken.None) : null;
            parkedApproval = detail is null ? null : await Reader.ParkedApprovalAsync(detail.Id, CancellationToken.None);
            devlogs = detail is null ? [] : await Reader.DevlogsForAsync(detail.Id, CancellationToken.None);
        }
        catch (DatabaseException ex)
        {
            page = new AuditPage([], false, false);
            error = "The audit log could not be read: " + ex.Message;
        }
    }

    private static readonly int[] PageSizes = [25, 50, 100, 200];

    private void Go(AuditFilter next) => Navigation.NavigateTo(AuditQueryString.Url("audit", next));

    private void Go(AuditFilter current, long detailId) => Navigation.NavigateTo(AuditQueryString.Url("audit", current, detailId));

    private static string Shorten(string sql)
    {
        var oneLine = sql.ReplaceLineEndings(" ");
        return oneLine.Length <= 120 ? oneLine : oneLine[..120] + "…";
    }
}
