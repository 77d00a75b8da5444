namespace Rose.Console.Components.Pages.Migrations;

/// <summary>The data snapshots of the migrations page: <see cref="DataSnapshots"/> under the signed-in user's policy.</summary>
public partial class DataSnapshotPanel
{
    [Inject] private DataSnapshots Snapshots { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;

    [Parameter, EditorRequired] public string Database { get; set; } = "";
    [Parameter, EditorRequired] public ClaimsPrincipal User { get; set; } = new();

    /// <summary>Operators may take a snapshot (the server still asks their policy).</summary>
    [Parameter] public bool CanTake { get; set; }

    /// <summary>Admins may restore one into a new database.</summary>
    [Parameter] public bool CanRestore { get; set; }

    private IReadOnlyList<DataSnapshot> snapshots = [];
    private bool running;
    private string? reason;
    private string? newDatabase;
    private string? message;
    private Severity severity = Severity.Info;
    private DataSnapshotRestore? restore;
    private string? shownFor;

    protected override void OnParametersSet()
    {
        if (shownFor != Database)
        {
            shownFor = Database;
            message = null;
            restore = null;
            Load();
        }
    }

    private void Load()
    {
        try
        {
            snapshots = Snapshots.List(Database);
        }
        catch (DataSnapshotException ex)
        {
            snapshots = [];
            Show(ex.Message, Severity.Error);
        }
    }

    private Task TakeAsync() => RunAsync(async (actor, policy) =>
    {
        var s = await Task.Run(() => Snapshots.TakeAsync(Database, actor, Channel.Workbench, policy, reason, CancellationToken.None));
        Show(string.Create(CultureInfo.InvariantCulture, $"Snapshot {s.Name} taken: {s.Tables.Count} table(s), {s.Rows:N0} row(s), {s.Bytes:N0} bytes."), Severity.Success);
    });

    private Task RestoreAsync(string name) => RunAsync(async (actor, policy) =>
    {
        restore = await Task.Run(() => Snapshots.RestoreAsync(Database, name, newDatabase, actor, Channel.Workbench, policy, reason, CancellationToken.None));
        Show(restore.Verified
            ? $"Restored {name} into the new database {restore.RestoredDatabase}: every one of {restore.Tables} table(s) equals the snapshot by checksum."
            : $"Restored {name} into {restore.RestoredDatabase}, but {restore.Mismatches.Count} table(s) differ from the snapshot (below).",
            restore.Verified ? Severity.Success : Severity.Error);
    });

    private async Task RunAsync(Func<Actor, Core.Policy.SqlPolicy, Task> action)
    {
        running = true;
        message = null;
        restore = null;
        try
        {
            await action(CurrentIdentity.ToActor(User), await Identity.PolicyForAsync(User, CancellationToken.None));
            Load();
        }
        catch (DataSnapshotDeniedException ex)
        {
            Show(ex.Message, Severity.Error);
        }
        catch (DataSnapshotException ex)
        {
            Show(ex.Message, Severity.Error);
        }
        catch (Exception ex) when (ex is Core.Audit.AuditUnavailableException or Core.Errors.DatabaseException)
        {
            Show(ex.Message, Severity.Error);
        }
        finally
        {
            running = false;
        }
    }

    private void Show(string text, Severity level)
    {
        message = text;
        severity = level;
    }

    private static string Age(DateTimeOffset at)
    {
        var age = DateTimeOffset.UtcNow - at;
        return age.TotalDays >= 1 ? $"{(int)age.TotalDays} d ago" : age.TotalHours >= 1 ? $"{(int)age.TotalHours} h ago" : $"{Math.Max(0, (int)age.TotalMinutes)} min ago";
    }
}
