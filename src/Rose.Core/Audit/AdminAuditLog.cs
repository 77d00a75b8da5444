namespace Rose.Core.Audit;

/// <summary>One administrative change to Rose itself, as the audit log shows it.</summary>
/// <param name="Operation">A command-tag-like name ("ADMIN AGENT CREATE") so the operation filter finds it.</param>
/// <param name="Text">Readable SQL-comment lines naming the action and its object; never a secret.</param>
public sealed record AdminAction(string Operation, string Text);

/// <summary>How an administrative change ended: applied, or refused with a reason (nothing changed).</summary>
/// <param name="DetailJson">Facts known only after the change (a new key's row id), shown with the entry.</param>
public sealed record AdminResult(bool Applied, string? RefusedBecause = null, string? DetailJson = null)
{
    public static readonly AdminResult Done = new(true);

    public static AdminResult Refused(string because) => new(false, because);
}

/// <summary>
/// Audits console administration in the same hash chain as SQL, with the same fail-closed order:
/// the attempt is durable before the change runs, so a change without its audit row cannot happen.
/// </summary>
public sealed class AdminAuditLog(AuditLog audit)
{
    /// <summary>
    /// The audit row's database for administration: Rose's own control database (its default name),
    /// not a target. The admin channel tells these rows apart from SQL run on a target of that name.
    /// </summary>
    public const string Database = "rose";

    private static readonly string[] AllowedBecause = ["console administration by a signed-in admin"];
    private static readonly string[] DeniedBecause = ["console administration is for signed-in people; agents and Rose itself may not"];

    /// <summary>Writes the attempt, runs <paramref name="change"/> only once it is written, then writes the outcome.</summary>
    /// <exception cref="AuditUnavailableException">The attempt could not be written; nothing was changed.</exception>
    /// <exception cref="UnauthorizedAccessException">The actor is not a person (recorded as denied).</exception>
    public async Task<T> RunAsync<T>(Actor actor, AdminAction action, Func<CancellationToken, Task<T>> change,
        Func<T, AdminResult> result, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(result);

        // The page already requires the admin role; this keeps an agent identity out even if a new caller forgets.
        var allowed = actor.Kind == ActorKind.Human;
        var auditId = await audit.RecordAttemptAsync(new AuditAttempt(actor, Channel.Admin, Database, null, action.Text,
            [action.Operation], allowed ? Decision.Allow : Decision.Deny, allowed ? AllowedBecause : DeniedBecause), ct);
        if (!allowed)
        {
            await audit.RecordOutcomeAsync(auditId, new AuditOutcome(AuditStatus.Denied), CancellationToken.None);
            throw new UnauthorizedAccessException($"{actor.KindName} identities may not administer Rose.");
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        T value;
        try
        {
            value = await change(ct);
        }
        catch (Exception ex)
        {
            // The message of a failed store call names tables and ids, never a key: keys reach the store only as hashes.
            var status = ex is OperationCanceledException ? AuditStatus.Cancelled : AuditStatus.Failed;
            await audit.RecordOutcomeAsync(auditId, new AuditOutcome(status, 0, Elapsed(started), (ex as Npgsql.PostgresException)?.SqlState,
                ex.GetType().Name + ": " + ex.Message), CancellationToken.None);
            throw;
        }

        var r = result(value);
        await audit.RecordOutcomeAsync(auditId, new AuditOutcome(r.Applied ? AuditStatus.Succeeded : AuditStatus.Failed, r.Applied ? 1 : 0,
            Elapsed(started), ErrorMessage: r.RefusedBecause, StatementsJson: r.DetailJson), CancellationToken.None);
        return value;
    }

    /// <summary>A value quoted for the comment text: single quotes doubled, line breaks flattened so a name cannot start a fake line.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var flat = string.Concat(value.Select(c => char.IsControl(c) || c is '\u2028' or '\u2029' ? ' ' : c));
        return "'" + flat.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static double Elapsed(long started) => System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
