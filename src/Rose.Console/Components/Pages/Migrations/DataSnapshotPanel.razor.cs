using Rose.Core.Workbench;

namespace Rose.Console.Components.Pages.Migrations;

/// <summary>The data snapshots of the migrations page: <see cref="DataSnapshots"/> under the signed-in user's policy.</summary>
public partial class DataSnapshotPanel
{
    [Inject] private DataSnapshots Snapshots { get; set; } = default!;
    [Inject] private CurrentIdentity Identity { get; set; } = default!;
    [Inject] private SchemaCatalog Catalog { get; set; } = default!;

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
    private IReadOnlyCollection<string>? chosen = [];
    private IReadOnlyList<(string Value, string Label)> tables = [];

    protected override async Task OnParametersSetAsync()
    {
        if (shownFor != Database)
        {
            shownFor = Database;
            message = null;
            restore = null;
            chosen = [];
            Load();
            await LoadTablesAsync();
        }
    }

    /// <summary>The picker's tables, read through the schema browser's catalog (policy-checked, audited, cached); none when it may not read.</summary>
    private async Task LoadTablesAsync()
    {
        tables = [];
        if (!CanTake)
        {
            return;
        }

        try
        {
            var info = await Catalog.GetAsync(Database, CurrentIdentity.ToActor(User), await Identity.PolicyForAsync(User, CancellationToken.None), false, CancellationToken.None);
            tables = [.. info.Relations.Where(r => r.Kind == "table" && r.Schema != "rose_backup")
                .Select(r => (DataSnapshots.TableName(r.Schema, r.Name), $"{r.Schema}.{r.Name}"))];
        }
        catch (Exception ex) when (ex is InvalidOperationException or Core.Errors.DatabaseException or Core.Audit.AuditUnavailableException)
        {
            // The picker stays empty: a whole-database snapshot is still offered, and taking one says plainly what is refused.
        }
    }

    private static string Contents(DataSnapshot s) => s.ChosenTables switch
    {
        null or { Count: 0 } => "Whole database",
        { Count: <= 3 } list => string.Join(", ", list),
        var list => string.Join(", ", list.Take(3)) + $" and {list.Count - 3} more",
    };

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
        var picked = chosen?.ToList() ?? [];
        var s = await Task.Run(() => Snapshots.TakeAsync(Database, actor, Channel.Workbench, policy, reason, picked, CancellationToken.None));
        Show(string.Create(CultureInfo.InvariantCulture, $"Snapshot {s.Name} of {(s.IsPartial ? s.Contents : "the whole database")} taken: {s.Tables.Count} table(s), {s.Rows:N0} row(s), {s.Bytes:N0} bytes."), Severity.Success);
    });

    private Task RestoreAsync(string name) => RunAsync(async (actor, policy) =>
    {
        restore = await Task.Run(() => Snapshots.RestoreAsync(Database, name, newDatabase, actor, Channel.Workbench, policy, reason, CancellationToken.None));
        Show(restore.Verified
            ? $"Restored {name} into the new database {restore.RestoredDatabase}: every one of {restore.Tables} table(s) equals the snapshot by checksum."
            : $"Restored {name} into {restore.RestoredDatabase}, but {restore.Mismatches.Count} table(s) differ from the snapshot (below).",
            restore.Verified ? Severity.Success : Severity.Error);
    });

    private Task RestoreInPlaceAsync(string name) => RunAsync(async (actor, policy) =>
    {
        var parked = await Task.Run(() => Snapshots.RequestRestoreInPlaceAsync(Database, name, actor, Channel.Workbench, policy, reason, CancellationToken.None));
        Show($"Restore of {name} in place over the live database is waiting for approval #{parked.ApprovalId}; nothing changes until an approver approves it on Approvals.",
            Severity.Warning);
    });

    private DataSnapshotJob? progress;

    /// <summary>While a run is going, the newest running job of this target is shown twice a second (tables done of tables total).</summary>
    private async Task PollAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                progress = Snapshots.Jobs(Database).FirstOrDefault(j => j.State == "running");
                await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended; its result replaces the progress.
        }
    }

    private static string ProgressText(DataSnapshotJob p) => p.CurrentTable is null
        ? $"{p.Kind.Replace('_', ' ')}: {p.TablesDone} of {p.TablesTotal} table(s)"
        : $"{p.Kind.Replace('_', ' ')}: {p.TablesDone} of {p.TablesTotal} table(s) done, now {p.CurrentTable}";

    private async Task RunAsync(Func<Actor, Core.Policy.SqlPolicy, Task> action)
    {
        running = true;
        message = null;
        restore = null;
        progress = null;
        using var poll = new CancellationTokenSource();
        var polling = PollAsync(poll.Token);
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
            await poll.CancelAsync();
            await polling;
            running = false;
            progress = null;
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
