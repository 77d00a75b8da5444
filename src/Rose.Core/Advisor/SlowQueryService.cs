namespace Rose.Core.Advisor;

/// <summary>The top statements of a target by total execution time, from pg_stat_statements.</summary>
public sealed class SlowQueryService(AdvisorReads reads)
{
    public const int MaxTop = 500;

    /// <summary>Says exactly how to turn the extension on; shown by the page, the API and the CLI.</summary>
    public const string EnableHint =
        "pg_stat_statements is not enabled on this database. Add it to shared_preload_libraries in postgresql.conf "
        + "(shared_preload_libraries = 'pg_stat_statements'), restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database.";

    /// <summary>What pg_stat_statements shows for the text of another role's statement without pg_read_all_stats.</summary>
    public const string HiddenText = "<insufficient privilege>";

    /// <summary>SQLSTATE 55000 (object not in prerequisite state): the extension is installed but not loaded at server start.</summary>
    private const string NotLoadedState = "55000";

    public async Task<SlowQueryReport> TopAsync(Actor executor, string database, int top, CancellationToken ct)
    {
        if (top is < 1 or > MaxTop)
        {
            throw new AdvisorRequestException($"top must be between 1 and {MaxTop}.");
        }

        // Only whether the extension is installed: current_setting('shared_preload_libraries') needs
        // pg_read_all_settings, which the roles Rose reads with rarely have. Whether it is loaded shows in the
        // read itself: PostgreSQL refuses it with 55000 when it is not.
        var probe = await reads.ReadAsync(executor, database,
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed",
            "advisor: pg_stat_statements probe", ct);
        if (!probe.Succeeded)
        {
            return new SlowQueryReport(database, [], "The target could not be read: " + probe.Error);
        }

        if (AdvisorReads.Cell(probe.Statements[0], 0, "installed") != "t")
        {
            return new SlowQueryReport(database, [], EnableHint);
        }

        var read = await reads.ReadAsync(executor, database,
            "SELECT s.queryid::text AS queryid, s.query, s.calls, s.total_exec_time, s.mean_exec_time, s.rows "
            + "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid AND d.datname = current_database() "
            + $"ORDER BY s.total_exec_time DESC LIMIT {top}", "advisor: slow queries", ct);
        if (!read.Succeeded)
        {
            return new SlowQueryReport(database, [],
                read.Error?.StartsWith(NotLoadedState, StringComparison.Ordinal) == true ? EnableHint : "pg_stat_statements could not be read: " + read.Error);
        }

        var result = read.Statements[0];
        var queries = Enumerable.Range(0, result.Rows.Count).Select(i => new SlowQuery(
            AdvisorReads.Cell(result, i, "queryid") ?? "",
            AdvisorReads.Cell(result, i, "query") ?? "",
            AdvisorReads.Integer(AdvisorReads.Cell(result, i, "calls")),
            AdvisorReads.Number(AdvisorReads.Cell(result, i, "total_exec_time")),
            AdvisorReads.Number(AdvisorReads.Cell(result, i, "mean_exec_time")),
            AdvisorReads.Integer(AdvisorReads.Cell(result, i, "rows")))).ToList();
        var hidden = queries.Count(q => q.Query == HiddenText);
        return new SlowQueryReport(database, queries, null, hidden == 0 ? null
            : $"{hidden} of these statements ran as other roles, so PostgreSQL shows their text as {HiddenText} to the role Rose reads "
              + "this target with. To see them, grant that role pg_read_all_stats (it can then also read every session's current "
              + "statement in pg_stat_activity).");
    }
}
