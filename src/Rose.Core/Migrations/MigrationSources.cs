namespace Rose.Core.Migrations;

/// <summary>
/// Where a run's scripts come from: the files a caller sent (API, CLI), else the target's
/// Rose:Targets:&lt;name&gt;:MigrationsPath folder. Also parks snapshot restores.
/// </summary>
public sealed class MigrationSources(TargetRegistry targets, MigrationSnapshots snapshots, ISqlClassifier classifier, ExecutionService execution)
{
    public async Task<MigrationSet> ResolveAsync(string database, IReadOnlyList<(string Name, string Sql)>? files, CancellationToken ct)
    {
        if (files is { Count: > 0 })
        {
            return MigrationSet.From(files);
        }

        if (!targets.TryGet(database, out var target))
        {
            throw new MigrationException($"There is no target database named '{database}'.");
        }

        return string.IsNullOrWhiteSpace(target.Definition.MigrationsPath)
            ? throw new MigrationException($"No migrations were sent and target '{database}' has no folder (Rose:Targets:{database}:MigrationsPath).")
            : await MigrationSet.FromFolderAsync(target.Definition.MigrationsPath, ct);
    }

    /// <summary>
    /// Parks a restore of a schema snapshot as an approval request whose SQL is the snapshot; the
    /// caller must be an admin (the adapter checks the role). Every operation of the dump is put under
    /// requires_approval, so it can never run without a second person. Limited: the dump is
    /// schema-only and is replayed onto the current database, so it succeeds only where its objects
    /// do not exist (e.g. after a dropped table); the batch is all-or-nothing.
    /// </summary>
    public async Task<ExecutionOutcome> RequestRestoreAsync(string database, string snapshotName, Actor admin, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var sql = await snapshots.ReadAsync(database, snapshotName, ct)
            ?? throw new MigrationException($"There is no snapshot '{snapshotName}' for '{database}'.");
        var operations = classifier.Classify(sql).Statements.SelectMany(s => s.Operations).Distinct(StringComparer.Ordinal).ToList();
        var policy = new SqlPolicy
        {
            AllowedDatabases = [database],
            AllowedOperations = operations,
            RequiresApproval = operations,
            Environment = "prod",
        };
        return await execution.ExecuteAsync(new ExecutionRequest(admin, Channel.Migration, database, sql,
            $"restore schema snapshot {snapshotName}", policy), null, ct);
    }
}
