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

    /// <summary>Rose:PriorBackup: limits and retention of the prior backups taken before destructive statements.</summary>
    public Undo.PriorBackupOptions PriorBackup { get; set; } = new();

    /// <summary>Agent keys older than this many days are reported at start (per agent: Rose:Agents:name:KeyLifetimeDays).</summary>
    public int AgentKeyLifetimeDays { get; set; } = 90;

    /// <summary>Whether the embedded default creates and registers the `demo` target.</summary>
    public bool Demo { get; set; } = true;

    public static string DefaultDataDir() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "rose");
}
