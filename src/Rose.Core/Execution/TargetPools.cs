using System.Globalization;
using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// Builds the connection pools of a target. Living in Execution is the point: the architecture test
/// (tests/Rose.Core.Tests/Architecture) fails when a type outside Execution constructs a connection or a
/// data source, so the executor stays the only code that can reach a target.
/// </summary>
internal static class TargetPools
{
    /// <param name="maxPoolSize">The pool's share of the server's connection budget (see <see cref="Budget"/>), or null for the connection string's own.</param>
    public static NpgsqlDataSource Build(string connectionString, string name, int? maxPoolSize = null)
    {
        NpgsqlSettings.EnsureRawSql();
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "rose-target-" + name };
        if (maxPoolSize is { } max)
        {
            builder.ConnectionStringBuilder.MaxPoolSize = max;
        }
        builder.ConnectionStringBuilder.ApplicationName ??= "rose-console";
        // The executor relies on pooled connections being reset (DISCARD ALL) when returned, so a
        // session-level SET from one execution never leaks into the next.
        builder.ConnectionStringBuilder.NoResetOnClose = false;
        return builder.Build();
    }

    /// <summary>
    /// The pool plain reads run on: the read-only connection when there is one, else the read-write one,
    /// with the read limits as session defaults from the start of every session (startup options):
    /// default_transaction_read_only, the target's statement and lock timeouts, and the date and interval
    /// styles values are read in. DISCARD ALL on return resets a session to exactly these values, so a
    /// read sends no limits of its own: BEGIN rides with its first statement and COMMIT with the reset,
    /// two round trips for a one-statement read instead of three.
    /// </summary>
    public static NpgsqlDataSource BuildReads(string connectionString, string name, TimeSpan statementTimeout, TimeSpan lockTimeout, int maxPoolSize)
    {
        NpgsqlSettings.EnsureRawSql();
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "rose-target-" + name + ":reads" };
        builder.ConnectionStringBuilder.MaxPoolSize = maxPoolSize;
        // A burst of reads opens many sessions; they close after a minute idle instead of Npgsql's five, so the
        // server's connection slots go back soon after the burst.
        builder.ConnectionStringBuilder.ConnectionIdleLifetime = Math.Min(builder.ConnectionStringBuilder.ConnectionIdleLifetime, ReadsIdleLifetimeSeconds);
        builder.ConnectionStringBuilder.ApplicationName ??= "rose-console";
        builder.ConnectionStringBuilder.NoResetOnClose = false;
        var preset = string.Create(CultureInfo.InvariantCulture,
            $"-c default_transaction_read_only=on -c statement_timeout={Millis(statementTimeout)} -c lock_timeout={Millis(lockTimeout)} -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601");
        var own = builder.ConnectionStringBuilder.Options;
        builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(own) ? preset : own + " " + preset;
        return builder.Build();
    }

    public const int ReadsIdleLifetimeSeconds = 60;

    /// <summary>
    /// The reads pool and the pool beside it on the same server (read-write, or read-only when the target has a
    /// read-only connection) share that connection string's Maximum Pool Size (Npgsql's default 100) instead of
    /// taking it each: with a pool each, a burst of reads plus writes could open twice the budget and run the
    /// server out of connections (53300), which bench/execution.sh hit at 32 callers. The reads pool takes
    /// half, at least one each.
    /// </summary>
    public static (int Reads, int Beside) Budget(string connectionString)
    {
        var budget = new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;
        var reads = Math.Max(1, budget / 2);
        return (reads, Math.Max(1, budget - reads));
    }

    /// <summary>Milliseconds, at least 1: 0 would turn a timeout off.</summary>
    internal static long Millis(TimeSpan span) => Math.Max(1, (long)span.TotalMilliseconds);
}
