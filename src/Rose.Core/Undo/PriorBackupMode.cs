namespace Rose.Core.Undo;

/// <summary>When Rose takes a prior backup of the rows a destructive statement changes.</summary>
public enum PriorBackupMode
{
    /// <summary>Never: the statement runs without a way back.</summary>
    Off,

    /// <summary>Only for statements a person approved (the risky ones).</summary>
    Approvals,

    /// <summary>Before every UPDATE, DELETE, MERGE, TRUNCATE and DROP TABLE.</summary>
    Always,
}

public static class PriorBackupModes
{
    public static bool TryParse(string? value, out PriorBackupMode mode)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "off":
                mode = PriorBackupMode.Off;
                return true;
            case "approvals":
                mode = PriorBackupMode.Approvals;
                return true;
            case "always":
                mode = PriorBackupMode.Always;
                return true;
            default:
                mode = PriorBackupMode.Approvals;
                return false;
        }
    }

    /// <summary>Dev targets back up everything (agents work there unsupervised); elsewhere approved changes are backed up.</summary>
    public static PriorBackupMode Default(TargetEnvironment environment) =>
        environment == TargetEnvironment.Dev ? PriorBackupMode.Always : PriorBackupMode.Approvals;

    public static string Name(this PriorBackupMode mode) => mode switch
    {
        PriorBackupMode.Off => "off",
        PriorBackupMode.Always => "always",
        _ => "approvals",
    };
}
