using Rose.Core.Migrations.Reversibility;

namespace Rose.Console.Components.Pages.Migrations;

/// <summary>
/// The reversibility check of the migrations page: runs <see cref="ReversibilityChecker"/> with the
/// signed-in user's policy, shows its progress, and lists each version's verdict and schema differences.
/// </summary>
public partial class ReversibilityPanel : IDisposable
{
    [Inject] private ReversibilityChecker Checker { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;

    [Parameter, EditorRequired] public string Database { get; set; } = "";
    [Parameter, EditorRequired] public MigrationSet Set { get; set; } = MigrationSet.Empty;
    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = new();

    private CancellationTokenSource? run;
    private bool fromEmpty;
    private bool running;
    private string? error;
    private string? progressMessage;
    private int progressDone;
    private int progressTotal;
    private ReversibilityReport? report;
    private string? shownFor;

    protected override void OnParametersSet()
    {
        // A different database (or folder) makes an earlier answer stale.
        var key = Database + "\n" + string.Join("\n", Set.Scripts.Select(s => s.FileName + ":" + s.Checksum));
        if (shownFor != key)
        {
            shownFor = key;
            report = null;
            error = null;
        }
    }

    private async Task CheckAsync()
    {
        run?.Dispose();
        run = new CancellationTokenSource();
        running = true;
        report = null;
        error = null;
        progressMessage = "Starting";
        progressDone = 0;
        progressTotal = 0;
        try
        {
            var request = new ReversibilityRequest(Database, Set, CurrentIdentity.ToActor(User),
                await Identity.PolicyForAsync(User, run.Token), "reversibility check from the console", fromEmpty);
            var progress = new Progress(this);
            var token = run.Token;
            report = await Task.Run(() => Checker.CheckAsync(request, progress, token), token);
        }
        catch (OperationCanceledException)
        {
            error = "The check was cancelled; its scratch database was dropped.";
        }
        catch (Exception ex) when (ex is MigrationException or Core.Errors.DatabaseException or Core.Audit.AuditUnavailableException)
        {
            error = ex.Message;
        }
        finally
        {
            running = false;
        }
    }

    private void Cancel() => run?.Cancel();

    private void OnProgress(MigrationProgress p) => _ = InvokeAsync(() =>
    {
        progressDone = p.Done;
        progressTotal = p.Total;
        progressMessage = p.Message;
        StateHasChanged();
    });

    private static string VerdictName(ReversibilityVerdict v) => Api.ReversibilityResponse.VerdictName(v);

    private static Color VerdictColor(ReversibilityVerdict v) => v switch
    {
        ReversibilityVerdict.Reversible => Color.Success,
        ReversibilityVerdict.NoUndo or ReversibilityVerdict.Refused => Color.Warning,
        _ => Color.Error,
    };

    public void Dispose()
    {
        run?.Cancel();
        run?.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class Progress(ReversibilityPanel panel) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => panel.OnProgress(value);
    }
}
