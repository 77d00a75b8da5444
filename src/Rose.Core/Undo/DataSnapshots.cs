using System.Text.RegularExpressions;
using Npgsql;

namespace Rose.Core.Undo;

/// <summary>
/// Data snapshots of a target and their restore into a new database. A snapshot opens a REPEATABLE
/// READ transaction on the target, exports its database snapshot, reads every table's checksum in it,
/// and runs pg_dump --format=custom --snapshot on that same snapshot, so the file and the checksums
/// describe the same moment. A restore creates a NEW database on the target's server (never over the
/// live one), pg_restores the file into it, and proves it equal by reading the same checksums there.
/// Both are audited runs on the target's name; the caller's policy must allow reading the target.
/// </summary>
public sealed partial class DataSnapshots
{
    private readonly TargetRegistry targets;
    private readonly SqlExecutor executor;
    private readonly AuditedRuns runs;
    private readonly ISqlClassifier classifier;
    private readonly PolicyEnforcer enforcer;
    private readonly IOptions<RoseOptions> options;
    private readonly DataSnapshotFiles files;
    private readonly Approvals.ApprovalStore approvals;
    private readonly Approvals.ApprovalNotifier notifier;
    private readonly DataSnapshotJobs jobs = new();

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal DataSnapshots(TargetRegistry targets, SqlExecutor executor, AuditedRuns runs, ISqlClassifier classifier, PolicyEnforcer enforcer, IOptions<RoseOptions> options,
        Approvals.ApprovalStore approvals, Approvals.ApprovalNotifier notifier)
    {
        this.approvals = approvals;
        this.notifier = notifier;
        this.targets = targets;
        this.executor = executor;
        this.runs = runs;
        this.classifier = classifier;
        this.enforcer = enforcer;
        this.options = options;
        files = new DataSnapshotFiles(options.Value.DataDir);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A table's name as a snapshot request takes it: both parts double-quoted, so any table the catalog lists names exactly itself.</summary>
    public static string TableName(string schema, string table) => SnapshotTables.Qualified(schema, table);

    /// <summary>This instance's snapshot and restore runs of the target (running, and the last finished), newest first, with their progress.</summary>
    public IReadOnlyList<DataSnapshotJob> Jobs(string database) => jobs.List(Target(database).Definition.Name);

    /// <summary>Runs <paramref name="work"/> as a tracked job: its progress is visible while it runs, its end (or failure) after.</summary>
    private async Task<T> TrackAsync<T>(RegisteredTarget target, string kind, string? snapshot, Func<DataSnapshotJobs.Job, Task<T>> work)
    {
        var job = jobs.Start(target.Definition.Name, kind, snapshot);
        try
        {
            var value = await work(job);
            job.Finish(value is DataSnapshotRestore { Verified: false } r ? $"{r.Mismatches.Count} table(s) differ from the snapshot" : null);
            return value;
        }
        catch (Exception ex)
        {
            job.Finish(ex.Message);
            throw;
        }
    }

    /// <summary>The target's data snapshots, newest first.</summary>
    public IReadOnlyList<DataSnapshot> List(string database) => files.List(Target(database).Definition.Name);

    /// <summary>
    /// Takes a snapshot of the whole database, or of the chosen <paramref name="tables"/> only (table or
    /// schema.table; a partitioned table brings its partitions). A database that is away surfaces as
    /// Rose's <see cref="Errors.DatabaseException"/>, not the driver's.
    /// </summary>
    public Task<DataSnapshot> TakeAsync(string database, Actor who, Channel channel, SqlPolicy policy, string? reason, IReadOnlyList<string>? tables,
        CancellationToken ct) =>
        Errors.DatabaseErrors.TranslateAsync(() => TakeUntranslatedAsync(database, who, channel, policy, reason, tables, ct));

    private async Task<DataSnapshot> TakeUntranslatedAsync(string database, Actor who, Channel channel, SqlPolicy policy, string? reason,
        IReadOnlyList<string>? tables, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var target = Target(database);
        RequireRead(target, policy);
        var chosen = SnapshotTables.Normalise(tables);
        var name = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var program = PgClientTools.Resolve("pg_dump", options.Value.Migrations.PgDumpPath);
        var attempt = new AuditAttempt(who, channel, target.Definition.Name, string.IsNullOrWhiteSpace(reason) ? "data snapshot" : reason + " (data snapshot)",
            chosen is null
                ? $"-- data snapshot {name}: pg_dump --format=custom (schema and data) of every table, with per-table checksums in the same database snapshot"
                : $"-- data snapshot {name}: pg_dump --format=custom (schema and data) of the tables {string.Join(", ", chosen)}, with their checksums in the same database snapshot",
            ["SELECT"], Decision.Allow, [chosen is null ? "reads every table of the target; nothing on the target is changed" : "reads the chosen tables; nothing on the target is changed"]);
        var (_, snapshot) = await runs.RunAsync(attempt,
            run => TrackAsync(target, "snapshot", name, job => DumpAsync(target, name, program, chosen, job, run.AuditId, ct)),
            s => new AuditOutcome(AuditStatus.Succeeded, RowsAffected: s.Rows,
                StatementsJson: JsonSerializer.Serialize(new { snapshot = s.Name, bytes = s.Bytes, tables = s.Tables.Count, rows = s.Rows, chosen_tables = s.ChosenTables }, Json)),
            ct);
        return snapshot;
    }

    /// <summary>Restores a snapshot into a new database (named, or &lt;target database&gt;_restore_&lt;time&gt;) and verifies it by checksums.</summary>
    public Task<DataSnapshotRestore> RestoreAsync(string database, string snapshotName, string? newDatabase, Actor who, Channel channel,
        SqlPolicy policy, string? reason, CancellationToken ct) =>
        Errors.DatabaseErrors.TranslateAsync(() => RestoreUntranslatedAsync(database, snapshotName, newDatabase, who, channel, policy, reason, ct));

    private async Task<DataSnapshotRestore> RestoreUntranslatedAsync(string database, string snapshotName, string? newDatabase, Actor who, Channel channel,
        SqlPolicy policy, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(who);
        var target = Target(database);
        RequireRead(target, policy);
        var snapshot = files.Find(target.Definition.Name, snapshotName)
            ?? throw new DataSnapshotException($"Target {target.Definition.Name} has no data snapshot named '{snapshotName}'.");
        var live = new NpgsqlConnectionStringBuilder(target.Definition.ConnectionString).Database;
        var name = NewDatabaseName(newDatabase, live);
        var attempt = new AuditAttempt(who, channel, target.Definition.Name, string.IsNullOrWhiteSpace(reason) ? "snapshot restore" : reason + " (snapshot restore)",
            $"-- restore data snapshot {snapshot.Name} into the new database {name} (CREATE DATABASE, pg_restore), then compare per-table checksums",
            ["CREATE DATABASE"], Decision.Allow, [$"restores into the new database {name}; the live database is not touched"]);
        var (_, restore) = await runs.RunAsync(attempt,
            run => TrackAsync(target, "restore", snapshot.Name, job => RestoreIntoAsync(target, snapshot, name, job, run.AuditId, ct)),
            r => new AuditOutcome(r.Verified ? AuditStatus.Succeeded : AuditStatus.Failed, RowsAffected: r.Rows,
                ErrorMessage: r.Verified ? null : $"{r.Mismatches.Count} table(s) differ from the snapshot: " + string.Join("; ", r.Mismatches.Take(5).Select(m => $"{m.Table}: {m.Reason}")),
                StatementsJson: JsonSerializer.Serialize(new { snapshot = r.Snapshot, restored_database = r.RestoredDatabase, tables = r.Tables, verified = r.Verified }, Json)),
            ct);
        return restore;
    }

    private RegisteredTarget Target(string database) =>
        targets.TryGet(database, out var target) ? target : throw new DataSnapshotException($"There is no target database named '{database}'.");

    /// <summary>pg_dump's reads are SELECTs of every table: the caller's policy must allow a SELECT on this target outright.</summary>
    private void RequireRead(RegisteredTarget target, SqlPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var decision = enforcer.Evaluate(policy, target.Definition.Name, target.Definition.Environment, classifier.Classify("SELECT 1"));
        if (decision.Decision != Decision.Allow)
        {
            throw new DataSnapshotDeniedException(decision.Reasons.Count > 0 ? decision.Reasons : ["reading this target is not allowed outright"]);
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainName();

    private static string NewDatabaseName(string? requested, string? live)
    {
        var name = string.IsNullOrWhiteSpace(requested)
            ? Clip(DataSnapshotFiles.Sanitise(live ?? "target").ToLowerInvariant(), 40) + "_restore_" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)
            : requested.Trim();
        if (!PlainName().IsMatch(name))
        {
            throw new DataSnapshotException($"'{name}' is not a database name Rose creates: use lower-case letters, digits and _ (at most 63, not starting with a digit).");
        }

        if (string.Equals(name, live, StringComparison.Ordinal) || name is "postgres" or "template0" or "template1")
        {
            throw new DataSnapshotException($"A snapshot is only restored into a new database, never over {name}. Choose another name.");
        }

        return name;
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];
}
