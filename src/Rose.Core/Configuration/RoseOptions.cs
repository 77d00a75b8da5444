using Rose.Core.Policy;

namespace Rose.Core.Configuration;

/// <summary>Everything under the "Rose" configuration section.</summary>
public sealed class RoseOptions
{
    public const string SectionName = "Rose";

    /// <summary>Where the embedded cluster, snapshots and other local state live.</summary>
    public string DataDir { get; set; } = DefaultDataDir();

    /// <summary>The control database; empty means the embedded default cluster.</summary>
    public string? ControlConnection { get; set; }

    /// <summary>
    /// The data dir of a running embedded console to join as a replica: its control database (as the
    /// control role) and its targets are read from replica.json there. See README "Running several consoles".
    /// </summary>
    public string? ReplicaOf { get; set; }

    public Dictionary<string, TargetOptions> Targets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, AgentOptions> Agents { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Per human role (viewer, operator, approver, admin) the SQL policy it works under.</summary>
    public Dictionary<string, RoleOptions> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ExecutionOptions Execution { get; set; } = new();

    public ApprovalOptions Approvals { get; set; } = new();

    public MigrationOptions Migrations { get; set; } = new();

    public AuditOptions Audit { get; set; } = new();

    /// <summary>Agent keys older than this many days are reported at start (per agent: Rose:Agents:name:KeyLifetimeDays).</summary>
    public int AgentKeyLifetimeDays { get; set; } = 90;

    /// <summary>Whether the embedded default creates and registers the `demo` target.</summary>
    public bool Demo { get; set; } = true;

    public static string DefaultDataDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "rose");
}

public sealed class TargetOptions
{
    public string? ConnectionString { get; set; }
    public string? ReadOnlyConnectionString { get; set; }
    public string? Environment { get; set; }
    public int? StatementTimeoutSeconds { get; set; }
    public int? LockTimeoutSeconds { get; set; }
    public int? MaxRows { get; set; }
    public string? MigrationsPath { get; set; }
}

public sealed class AgentOptions
{
    public string? Name { get; set; }

    /// <summary>Bootstrap key; hashed at start, never stored or logged in clear.</summary>
    public string? ApiKey { get; set; }

    public SqlPolicyOptions? Policy { get; set; }

    /// <summary>Overrides Rose:AgentKeyLifetimeDays for this agent.</summary>
    public int? KeyLifetimeDays { get; set; }
}

/// <summary>Rose:Audit: where the chain's signed checkpoints are kept.</summary>
public sealed class AuditOptions
{
    /// <summary>The HMAC key that signs checkpoints; default audit-checkpoint.key under Rose:DataDir. Never in the control database.</summary>
    public string? CheckpointKeyFile { get; set; }

    /// <summary>How often the chain's head is signed.</summary>
    public int CheckpointIntervalSeconds { get; set; } = 60;
}

public sealed class RoleOptions
{
    public SqlPolicyOptions? Policy { get; set; }
}

/// <summary>The seed's policy block as configuration binds it (snake_case keys, like the seed's JSON).</summary>
public sealed class SqlPolicyOptions
{
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("allowed_databases")]
    public List<string> AllowedDatabases { get; set; } = [];

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("allowed_operations")]
    public List<string> AllowedOperations { get; set; } = [];

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("requires_approval")]
    public List<string> RequiresApproval { get; set; } = [];

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("environment")]
    public string? Environment { get; set; }

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("max_rows")]
    public int? MaxRows { get; set; }

    public SqlPolicy ToPolicy() => new()
    {
        AllowedDatabases = [.. AllowedDatabases],
        AllowedOperations = [.. AllowedOperations],
        RequiresApproval = [.. RequiresApproval],
        Environment = Environment ?? "prod",
        MaxRows = MaxRows,
    };
}

public sealed class ExecutionOptions
{
    public int DefaultStatementTimeoutSeconds { get; set; } = 30;
    public int DefaultLockTimeoutSeconds { get; set; } = 5;
    public int DefaultMaxRows { get; set; } = 10_000;

    /// <summary>Largest SQL text accepted, in characters; bigger input is refused before parsing.</summary>
    public int MaxSqlLength { get; set; } = 1_000_000;
}

public sealed class ApprovalOptions
{
    public int ExpiryHours { get; set; } = 24;
}

/// <summary>Rose:Migrations: how the migration runner behaves on every target.</summary>
public sealed class MigrationOptions
{
    /// <summary>From this many estimated rows (pg_class.reltuples) a table counts as big for lint.</summary>
    public long BigTableRows { get; set; } = 100_000;

    /// <summary>statement_timeout of a migration run; DDL and backfills outlast the interactive default.</summary>
    public int StatementTimeoutSeconds { get; set; } = 600;

    /// <summary>How long a runner waits for another runner's advisory lock before giving up.</summary>
    public int LockWaitSeconds { get; set; } = 120;

    /// <summary>Take a pg_dump --schema-only snapshot before applying; a failed snapshot stops the apply.</summary>
    public bool Snapshot { get; set; } = true;

    /// <summary>Folder of pg_dump; empty = next to the embedded cluster's programs, else PATH and /usr/lib/postgresql/N/bin.</summary>
    public string? PgDumpPath { get; set; }

    /// <summary>
    /// Where the reversibility check creates its scratch databases (needs CREATEDB). Empty = the
    /// target's own server with the target's credentials. The database named in it is only used to
    /// connect; scratch databases are named rose_scratch_*.
    /// </summary>
    public string? ScratchConnectionString { get; set; }
}
