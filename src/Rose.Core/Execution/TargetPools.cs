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
    public static NpgsqlDataSource Build(string connectionString, string name)
    {
        NpgsqlSettings.EnsureRawSql();
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "rose-target-" + name };
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
    public static NpgsqlDataSource BuildReads(string connectionString, string name, TimeSpan statementTimeout, TimeSpan lockTimeout)
    {
        NpgsqlSettings.EnsureRawSql();
        var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "rose-target-" + name + ":reads" };
        builder.ConnectionStringBuilder.ApplicationName ??= "rose-console";
        builder.ConnectionStringBuilder.NoResetOnClose = false;
        var preset = string.Create(CultureInfo.InvariantCulture,
            $"-c default_transaction_read_only=on -c statement_timeout={Millis(statementTimeout)} -c lock_timeout={Millis(lockTimeout)} -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601");
        var own = builder.ConnectionStringBuilder.Options;
        builder.ConnectionStringBuilder.Options = string.IsNullOrWhiteSpace(own) ? preset : own + " " + preset;
        return builder.Build();
    }

    /// <summary>Milliseconds, at least 1: 0 would turn a timeout off.</summary>
    internal static long Millis(TimeSpan span) => Math.Max(1, (long)span.TotalMilliseconds);
}
