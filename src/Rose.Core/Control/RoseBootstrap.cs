using Npgsql;
using Rose.Core.Agents;
using Rose.Core.Embedded;
using Rose.Core.Demo;

namespace Rose.Core.Control;

/// <summary>What start-up produced: the control database and, on the embedded default, its cluster.</summary>
public sealed class RoseRuntime : IAsyncDisposable
{
    internal RoseRuntime(ControlDatabase control, EmbeddedPostgres? embedded, IReadOnlyList<TargetDefinition> targets)
    {
        Control = control;
        Embedded = embedded;
        Targets = targets;
    }

    public ControlDatabase Control { get; }

    /// <summary>The private cluster when Rose:ControlConnection is empty; stopped when the runtime is disposed.</summary>
    public EmbeddedPostgres? Embedded { get; }

    /// <summary>Targets known at start: configuration plus the embedded `demo`.</summary>
    public IReadOnlyList<TargetDefinition> Targets { get; }

    private int disposed;

    /// <summary>Idempotent: the host's container and a test harness may both dispose it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await Control.DisposeAsync();
        if (Embedded is not null)
        {
            await Embedded.DisposeAsync();
        }
    }
}

/// <summary>
/// Brings up the control database before the host starts serving: the embedded cluster when no
/// control connection is configured, the control schema (under an advisory lock), the demo
/// target, and the agents from configuration (bootstrap keys stored hashed).
/// </summary>
public static class RoseBootstrap
{
    public const string ControlDatabaseName = "rose";
    public const string DemoTargetName = "demo";

    /// <param name="development">Whether the host runs in Development: only then do the published development keys work.</param>
    public static async Task<RoseRuntime> StartAsync(RoseOptions options, ILoggerFactory loggers, CancellationToken ct, bool development = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        NpgsqlSettings.EnsureRawSql();
        var logger = loggers.CreateLogger("Rose.Bootstrap");
        // A replica takes its control connection and targets from the console it joins, then is validated like any configuration.
        Instances.ReplicaFile.Apply(options);
        var validation = new RoseOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(RoseOptions.SectionName, typeof(RoseOptions), validation.Failures);
        }

        DataDirectory.EnsureWritable(options.DataDir);

        EmbeddedPostgres? embedded = null;
        var targets = options.Targets.Select(t => ToDefinition(t.Key, t.Value, options.Execution)).ToList();
        string controlConnection;
        try
        {
            if (string.IsNullOrWhiteSpace(options.ControlConnection))
            {
                logger.LogInformation("Rose:ControlConnection is empty: starting the embedded PostgreSQL cluster under {DataDir}", options.DataDir);
                embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = options.DataDir },
                    loggers.CreateLogger<EmbeddedPostgres>(), ct);
                await embedded.CreateDatabaseAsync(ControlDatabaseName, ct);
                // The superuser only creates the control role; the console and its replicas work as that role.
                var adminControl = embedded.ConnectionString(ControlDatabaseName);
                var role = ControlRole.For(adminControl);
                await role.EnsureAsync(adminControl, ct);
                controlConnection = role.ConnectionString(adminControl);
                if (options.Demo && !options.Targets.ContainsKey(DemoTargetName))
                {
                    var demo = await new DemoDatabase(loggers.CreateLogger<DemoDatabase>()).EnsureAsync(embedded.ConnectionString("postgres"), DemoTargetName, ct);
                    targets.Add(new TargetDefinition
                    {
                        Name = DemoTargetName,
                        ConnectionString = demo.ConnectionString,
                        ReadOnlyConnectionString = demo.ReadOnlyConnectionString,
                        Environment = TargetEnvironment.Dev,
                        StatementTimeout = TimeSpan.FromSeconds(options.Execution.DefaultStatementTimeoutSeconds),
                        LockTimeout = TimeSpan.FromSeconds(options.Execution.DefaultLockTimeoutSeconds),
                        MaxRows = options.Execution.DefaultMaxRows,
                        MigrationsPath = DemoMigrationsFolder.Write(options.DataDir),
                        PriorBackup = Undo.PriorBackupModes.Default(TargetEnvironment.Dev),
                    });
                }
            }
            else
            {
                controlConnection = options.ControlConnection;
            }

            var control = new ControlDatabase(controlConnection);
            try
            {
                await NpgsqlSettings.VerifyRawSqlAsync(control.DataSource, ct);
                var applied = await new ControlSchemaMigrator(loggers.CreateLogger<ControlSchemaMigrator>()).MigrateAsync(control.DataSource, ct);
                logger.LogInformation("Control schema is current ({Applied} version(s) applied now)", applied);
                // Under a lock shared by every console on this control database: two starting together
                // would otherwise both find the change to make and both audit it.
                await Instances.AdvisoryLocks.WithLockAsync(control.DataSource, Instances.AdvisoryLocks.AgentSync,
                    () => ConfiguredAgents.SyncAsync(options, new AgentStore(control), new Audit.AuditLog(control), development,
                        loggers.CreateLogger("Rose.Agents"), ct), ct);
                if (embedded is not null)
                {
                    Instances.ReplicaFile.Write(options.DataDir, controlConnection, targets);
                    logger.LogInformation("A replica can join this console with Rose:ReplicaOf={DataDir} (see {File}, readable by this user only)",
                        options.DataDir, Instances.ReplicaFile.FileName);
                }
            }
            catch
            {
                await control.DisposeAsync();
                throw;
            }

            return new RoseRuntime(control, embedded, targets);
        }
        catch (NpgsqlException ex)
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }

            var key = string.IsNullOrWhiteSpace(options.ControlConnection) ? "Rose:DataDir (embedded cluster)" : "Rose:ControlConnection";
            throw new InvalidOperationException($"The control database could not be prepared ({key}): {ex.Message}", ex);
        }
        catch
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
            }

            throw;
        }
    }

    public static TargetDefinition ToDefinition(string name, TargetOptions target, ExecutionOptions defaults)
    {
        TargetEnvironments.TryParse(target.Environment ?? "prod", out var environment);
        return new TargetDefinition
        {
            Name = name,
            ConnectionString = target.ConnectionString!,
            ReadOnlyConnectionString = target.ReadOnlyConnectionString,
            Environment = environment,
            StatementTimeout = TimeSpan.FromSeconds(target.StatementTimeoutSeconds ?? defaults.DefaultStatementTimeoutSeconds),
            LockTimeout = TimeSpan.FromSeconds(target.LockTimeoutSeconds ?? defaults.DefaultLockTimeoutSeconds),
            MaxRows = target.MaxRows ?? defaults.DefaultMaxRows,
            MigrationsPath = target.MigrationsPath,
            PriorBackup = Undo.PriorBackupModes.TryParse(target.PriorBackup, out var mode) ? mode : Undo.PriorBackupModes.Default(environment),
        };
    }
}
