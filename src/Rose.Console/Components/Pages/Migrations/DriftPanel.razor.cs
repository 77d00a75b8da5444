namespace Rose.Console.Components.Pages.Migrations;

/// <summary>The drift check of the migrations page: <see cref="SchemaDrift"/> under the signed-in user's policy.</summary>
public partial class DriftPanel
{
    [Inject] private SchemaDrift Drift { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;

    [Parameter, EditorRequired] public string Database { get; set; } = "";
    [Parameter, EditorRequired] public MigrationSet Set { get; set; } = MigrationSet.Empty;
    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = new();

    private bool running;
    private string? error;
    private DriftReport? report;
    private string? shownFor;

    protected override void OnParametersSet()
    {
        if (shownFor != Database)
        {
            shownFor = Database;
            report = null;
            error = null;
        }
    }

    private async Task CheckAsync()
    {
        running = true;
        report = null;
        error = null;
        try
        {
            var files = Set.Scripts.Select(s => (s.FileName, s.Sql)).ToList();
            var policy = await Identity.PolicyForAsync(User, CancellationToken.None);
            report = await Task.Run(() => Drift.CheckAsync(Database, files, CurrentIdentity.ToActor(User), policy, CancellationToken.None));
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
}
