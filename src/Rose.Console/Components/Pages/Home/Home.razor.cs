using Rose.Core.Validation.Storage;

namespace Rose.Console.Components.Pages.Home;

/// <summary>The overview: for each target (or the one in ?target=), what needs attention, each linking to its filtered page.</summary>
public partial class Home
{
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private ApprovalStore Approvals { get; set; } = default!;
    [Inject] private AuditReader Audit { get; set; } = default!;
    [Inject] private ValidationRunStore Runs { get; set; } = default!;
    [Inject] private AuditChainVerifier Verifier { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private PrerenderHandoff Handoff { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "target")] public string? Target { get; set; }

    private IReadOnlyList<TargetOverview>? overviews;
    private ChainOverview? chain;
    private DateTimeOffset since;
    private string? error;

    protected override async Task OnParametersSetAsync()
    {
        var now = DateTimeOffset.UtcNow;
        since = now - OverviewReader.FailureWindow;
        var reader = new OverviewReader(Approvals, Audit, Runs, Verifier);
        var shown = Targets.All.Where(t => string.IsNullOrEmpty(Target) || t.Name == Target).ToList();
        error = shown.Count == 0 ? $"There is no target named “{Target}”." : null;
        (overviews, chain, error, since) = await Handoff.TakeOrLoadAsync("home:" + Target, !RendererInfo.IsInteractive, async () =>
        {
            await LoadAsync(reader, shown, now);
            return new Loaded(overviews, chain, error, since);
        });
    }

    /// <summary>What <see cref="LoadAsync"/> read, handed from the prerender to the interactive render (<see cref="PrerenderHandoff"/>).</summary>
    private sealed record Loaded(IReadOnlyList<TargetOverview>? Overviews, ChainOverview? Chain, string? Error, DateTimeOffset Since);

    private async Task LoadAsync(OverviewReader reader, List<TargetDefinition> shown, DateTimeOffset now)
    {
        try
        {
            var list = new List<TargetOverview>();
            foreach (var target in shown)
            {
                list.Add(await reader.ForAsync(target, now, CancellationToken.None));
            }

            overviews = list;
            chain = await reader.ChainAsync(CancellationToken.None);
        }
        catch (DatabaseException ex)
        {
            overviews = [];
            chain = new ChainOverview(null, null, null, "The control database could not be read.");
            error = "The overview could not be read: " + ex.Message;
        }
    }

    private void SelectTarget(string? name) =>
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("target", string.IsNullOrEmpty(name) ? null : name));
}
