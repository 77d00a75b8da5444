using BlazorMonaco.Editor;
using Microsoft.JSInterop;
using Rose.Core.Export;
using Rose.Core.Workbench;

namespace Rose.Console.Components.Pages.Workbench;

/// <summary>
/// The SQL workbench: Monaco editor, live classification, run/cancel/explain/export through the one
/// pipeline, results, schema browser and history. State and lifetime live here; running, editor
/// glue and side panels are in the other partial files.
/// </summary>
public partial class Workbench
{
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private ExecutionService Execution { get; set; } = default!;
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;
    [Inject] private SchemaCatalog Catalog { get; set; } = default!;
    [Inject] private ExportTokens ExportTokens { get; set; } = default!;
    [Inject] private Rose.Core.Approvals.ApprovalStore Approvals { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    // Cancelled when the page goes away: stops approval polling and any running statement.
    private readonly CancellationTokenSource lifetime = new();
    private StandaloneCodeEditor? editor;
    private IJSObjectReference? module;
    private DotNetObjectReference<Workbench>? selfRef;

    private bool canRun;
    private Actor? executor;
    private SqlPolicy policy = SqlPolicy.DenyAll;
    private List<string> targets = [];
    private string? target;
    private string? reason;
    private bool sideOpen = true;
    private int historyVersion;

    protected override async Task OnInitializedAsync()
    {
        var user = (await AuthState).User;
        canRun = user.IsInRole(RoseRoles.Operator) && !CurrentIdentity.IsAgent(user);
        if (!canRun)
        {
            return;
        }

        executor = CurrentIdentity.ToActor(user);
        policy = await Identity.PolicyForAsync(user, lifetime.Token);
        targets = [.. Targets.All.Select(t => t.Name)
            .Where(name => policy.AllowedDatabases.Contains(name, StringComparer.OrdinalIgnoreCase))];
        target = targets.FirstOrDefault();
    }

    private static string Label(Decision decision) => decision switch
    {
        Decision.Allow => "allowed",
        Decision.Approval => "needs approval",
        _ => "denied",
    };

    private static MudBlazor.Color BadgeColor(Decision decision) => decision switch
    {
        Decision.Allow => MudBlazor.Color.Success,
        Decision.Approval => MudBlazor.Color.Warning,
        _ => MudBlazor.Color.Error,
    };

    private async Task OnTargetSelectedAsync(string value)
    {
        target = value;
        await OnTargetChangedAsync();
    }

    private async Task OnTargetChangedAsync()
    {
        await ClassifyAsync(currentText);
        await LoadSchemaAsync(refresh: false);
    }

    public async ValueTask DisposeAsync()
    {
        await lifetime.CancelAsync();
        runCts?.Cancel();
        lifetime.Dispose();
        selfRef?.Dispose();
        if (module is not null)
        {
            try
            {
                await module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone with the browser tab; nothing to release on that side.
            }
        }

        GC.SuppressFinalize(this);
    }
}
