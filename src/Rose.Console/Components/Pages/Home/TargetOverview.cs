using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Console.Components.Pages.Home;

/// <summary>What the home page shows for one target; each figure links to the page filtered to it.</summary>
public sealed record TargetOverview(
    TargetDefinition Target,
    int PendingApprovals,
    int FailedLastDay,
    bool FailedCapped,
    ValidationRun? LastValidation,
    ValidationSummary? LastValidationSummary,
    AuditEntry? LastMigration)
{
    /// <summary>pass, warn, fail, error, running, or none (never validated).</summary>
    public string ValidationHealth =>
        LastValidation is null ? "none"
        : LastValidationSummary is { } s && LastValidation.FinishedAt is not null ? s.Health
        : LastValidation.FinishedAt is null ? "running"
        : CheckStatus.Error;

    public string Name => Uri.EscapeDataString(Target.Name);

    public string ApprovalsUrl => $"approvals?database={Name}";

    public string ValidationUrl => $"validation?database={Name}";

    public string MigrationsUrl => $"migrations?database={Name}";

    public string FailedUrl(DateTimeOffset since) =>
        $"audit?database={Name}&status=failed&from={Uri.EscapeDataString(since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture))}";
}

/// <summary>The audit chain's state over its newest rows, for the home page.</summary>
public sealed record ChainOverview(AuditChainReport? Report, long? FromId, long? ToId, string? Error);

/// <summary>
/// Reads the home page's overview from the control database: read-only queries through the same Core
/// readers the pages use, so each figure matches what its linked page shows.
/// </summary>
public sealed class OverviewReader(ApprovalStore approvals, AuditReader audit, ValidationRunStore runs, AuditChainVerifier verifier)
{
    /// <summary>How many of the newest audit rows the home page re-hashes (the audit page verifies any range).</summary>
    public const int ChainWindow = 1000;

    public static readonly TimeSpan FailureWindow = TimeSpan.FromHours(24);

    public async Task<TargetOverview> ForAsync(TargetDefinition target, DateTimeOffset now, CancellationToken ct)
    {
        var pending = await approvals.ListAsync(new ApprovalFilter { Pending = true, Database = target.Name, Limit = 500 }, ct);
        var failed = await audit.QueryAsync(new AuditFilter { Database = target.Name, Status = "failed", From = now - FailureWindow, Limit = AuditFilter.MaxLimit }, ct);
        var lastRun = (await runs.ListAsync(target.Name, 1, ct)).FirstOrDefault();
        var summary = lastRun?.SummaryJson is { } json ? JsonSerializer.Deserialize<ValidationSummary>(json) : null;
        var migration = (await audit.QueryAsync(new AuditFilter { Database = target.Name, Channel = "migration", Limit = 1 }, ct)).FirstOrDefault();
        return new TargetOverview(target, pending.Count(p => !p.IsExpired(now)), failed.Count, failed.Count >= AuditFilter.MaxLimit, lastRun, summary, migration);
    }

    public async Task<ChainOverview> ChainAsync(CancellationToken ct)
    {
        var newest = (await audit.QueryAsync(new AuditFilter { Limit = 1 }, ct)).FirstOrDefault();
        if (newest is null)
        {
            return new ChainOverview(null, null, null, null);
        }

        var from = Math.Max(1, newest.Id - ChainWindow + 1);
        return new ChainOverview(await verifier.VerifyAsync(from, newest.Id, ct), from, newest.Id, null);
    }
}
