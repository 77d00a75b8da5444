using Npgsql;

namespace Rose.Core.Configuration;

/// <summary>
/// Checks the "Rose" section at start-up. Every failure names the exact configuration key, so a
/// person reading the start-up error knows which line of which file to fix.
/// </summary>
public sealed class RoseOptionsValidator : IValidateOptions<RoseOptions>
{
    public ValidateOptionsResult Validate(string? name, RoseOptions options)
    {
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Rose:DataDir must not be empty.");
        }

        if (!string.IsNullOrWhiteSpace(options.ControlConnection))
        {
            CheckConnectionString("Rose:ControlConnection", options.ControlConnection, errors);
        }

        foreach (var (targetName, target) in options.Targets)
        {
            var prefix = $"Rose:Targets:{targetName}";
            if (!IsValidName(targetName))
            {
                errors.Add($"{prefix}: target names may hold letters, digits, '_' and '-' only.");
            }

            if (string.IsNullOrWhiteSpace(target.ConnectionString))
            {
                errors.Add($"{prefix}:ConnectionString is required.");
            }
            else
            {
                CheckConnectionString($"{prefix}:ConnectionString", target.ConnectionString, errors);
            }

            if (!string.IsNullOrWhiteSpace(target.ReadOnlyConnectionString))
            {
                CheckConnectionString($"{prefix}:ReadOnlyConnectionString", target.ReadOnlyConnectionString, errors);
            }

            if (target.Environment is not null && !TargetEnvironments.TryParse(target.Environment, out _))
            {
                errors.Add($"{prefix}:Environment '{target.Environment}' is not one of dev, staging, prod.");
            }

            CheckPositive($"{prefix}:StatementTimeoutSeconds", target.StatementTimeoutSeconds, errors);
            CheckPositive($"{prefix}:LockTimeoutSeconds", target.LockTimeoutSeconds, errors);
            CheckPositive($"{prefix}:MaxRows", target.MaxRows, errors);
            if (target.PriorBackup is not null && !Undo.PriorBackupModes.TryParse(target.PriorBackup, out _))
            {
                errors.Add($"{prefix}:PriorBackup '{target.PriorBackup}' is not one of off, approvals, always.");
            }
        }

        foreach (var (agentId, agent) in options.Agents)
        {
            var prefix = $"Rose:Agents:{agentId}";
            if (!IsValidName(agentId))
            {
                errors.Add($"{prefix}: agent ids may hold letters, digits, '_' and '-' only.");
            }

            if (agent.ApiKey is { Length: > 0 and < 16 })
            {
                errors.Add($"{prefix}:ApiKey is too short: use at least 16 random characters.");
            }

            CheckPolicy($"{prefix}:Policy", agent.Policy, errors);
        }

        foreach (var (role, roleOptions) in options.Roles)
        {
            CheckPolicy($"Rose:Roles:{role}:Policy", roleOptions.Policy, errors);
        }

        CheckPositive("Rose:Execution:DefaultStatementTimeoutSeconds", options.Execution.DefaultStatementTimeoutSeconds, errors);
        CheckPositive("Rose:Execution:DefaultLockTimeoutSeconds", options.Execution.DefaultLockTimeoutSeconds, errors);
        CheckPositive("Rose:Execution:DefaultMaxRows", options.Execution.DefaultMaxRows, errors);
        CheckPositive("Rose:Execution:MaxSqlLength", options.Execution.MaxSqlLength, errors);
        CheckPositive("Rose:Approvals:ExpiryHours", options.Approvals.ExpiryHours, errors);
        errors.AddRange(options.PriorBackup.Validate("Rose:PriorBackup"));
        errors.AddRange(options.Migrations.DataSnapshots.Validate("Rose:Migrations:DataSnapshots"));
        if (!string.IsNullOrWhiteSpace(options.Migrations.ScratchConnectionString))
        {
            CheckConnectionString("Rose:Migrations:ScratchConnectionString", options.Migrations.ScratchConnectionString, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPolicy(string key, SqlPolicyOptions? policy, List<string> errors)
    {
        if (policy is null)
        {
            return;
        }

        if (policy.Environment is not null && !TargetEnvironments.TryParse(policy.Environment, out _))
        {
            errors.Add($"{key}:environment '{policy.Environment}' is not one of dev, staging, prod.");
        }

        if (policy.AllowedOperations.Concat(policy.RequiresApproval).Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{key}: operations must not be empty strings.");
        }

        CheckPositive($"{key}:max_rows", policy.MaxRows, errors);
    }

    private static void CheckConnectionString(string key, string value, List<string> errors)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                errors.Add($"{key} has no Host.");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The parser's message can echo the string, password included: keep only its kind.
            errors.Add($"{key} is not a valid PostgreSQL connection string ({ex.GetType().Name}).");
        }
    }

    private static void CheckPositive(string key, int? value, List<string> errors)
    {
        if (value is <= 0)
        {
            errors.Add($"{key} must be a positive number (was {value}).");
        }
    }

    internal static bool IsValidName(string name) =>
        name.Length is > 0 and <= 63 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
