namespace Rose.Core.Advisor;

/// <summary>
/// Proposes indexes for statements and proves them with hypopg: the planner's cost of each
/// statement is read before and with each hypothetical index (EXPLAIN without ANALYZE, so nothing
/// runs). A candidate is recommended when the planner uses it and the cost falls by at least
/// <see cref="MinimumSpeedup"/>. Without hypopg, candidates on tables the plan reads sequentially are
/// returned marked unproven.
/// </summary>
public sealed class IndexAdvisor(AdvisorReads reads, ISqlClassifier classifier, SlowQueryService slowQueries)
{
    public const double MinimumSpeedup = 1.5;
    public const int MaxQueries = 50;

    public const string NoHypopg =
        "hypopg is not installed on this database, so no index could be proven: the advice below is plan-based and unproven. "
        + "Install the postgresql-<version>-hypopg package on the server and run CREATE EXTENSION hypopg; to have every recommendation costed.";

    public async Task<IndexAdvice> ForQueriesAsync(Actor executor, Channel channel, string database, IReadOnlyList<string> queries, CancellationToken ct)
    {
        if (queries.Count is 0 or > MaxQueries || queries.Any(string.IsNullOrWhiteSpace))
        {
            throw new AdvisorRequestException($"queries must hold 1 to {MaxQueries} non-empty statements.");
        }

        var notes = new List<string>();
        var probe = await reads.ReadAsync(executor, database,
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hypopg') AS hypopg, current_setting('server_version_num')::int AS version",
            "advisor: hypopg probe", ct);
        if (!probe.Succeeded)
        {
            return new IndexAdvice(database, false, [], ["The target could not be read: " + probe.Error]);
        }

        var hypopg = AdvisorReads.Cell(probe.Statements[0], 0, "hypopg") == "t";
        var version = AdvisorReads.Integer(AdvisorReads.Cell(probe.Statements[0], 0, "version"));
        if (!hypopg)
        {
            notes.Add(NoHypopg);
        }

        var found = new Dictionary<string, Found>();
        foreach (var query in queries)
        {
            await AnalyseAsync(executor, channel, database, query, hypopg, version, found, notes, ct);
        }

        var recommendations = found.Values
            .OrderByDescending(f => f.Speedup ?? 0)
            .Select(f => new IndexRecommendation(f.Candidate.Table.Schema, f.Candidate.Table.Name, f.Candidate.Columns,
                f.Candidate.CreateSql(concurrently: true), f.Speedup is { } s ? Math.Round(s, 1) : null, f.Size, f.Queries, f.Speedup is not null,
                WriteOverhead(f.Candidate, f.Size), f.Candidate.Name))
            .ToList();
        return new IndexAdvice(database, hypopg, recommendations, notes);
    }

    /// <summary>The top statements of pg_stat_statements, analysed together.</summary>
    public async Task<IndexAdvice> ForWorkloadAsync(Actor executor, Channel channel, string database, int top, CancellationToken ct)
    {
        var report = await slowQueries.TopAsync(executor, database, top, ct);
        if (report.Unavailable is not null)
        {
            return new IndexAdvice(database, false, [], [report.Unavailable]);
        }

        var statements = report.Queries.Select(q => q.Query).Where(q => classifier.Classify(q).Statements is [{ Node: "SelectStmt" or "UpdateStmt" or "DeleteStmt" }]).ToList();
        var advice = statements.Count == 0
            ? new IndexAdvice(database, false, [], ["pg_stat_statements holds no SELECT, UPDATE or DELETE statements of this database yet."])
            : await ForQueriesAsync(executor, channel, database, statements, ct);
        // Statements whose text PostgreSQL hides from this role were left out: say so, and how to include them.
        return report.Note is null ? advice : advice with { Notes = [.. advice.Notes, report.Note] };
    }

    private sealed class Found(IndexCandidate candidate)
    {
        public IndexCandidate Candidate { get; } = candidate;
        public double? Speedup { get; set; }
        public long? Size { get; set; }
        public List<string> Queries { get; } = [];
    }

    private async Task AnalyseAsync(Actor executor, Channel channel, string database, string query, bool hypopg, long version,
        Dictionary<string, Found> found, List<string> notes, CancellationToken ct)
    {
        var batch = classifier.Classify(query);
        if (batch.Statements is not [{ IsParsed: true, Node: "SelectStmt" or "UpdateStmt" or "DeleteStmt" } statement])
        {
            notes.Add($"Skipped (one SELECT, UPDATE or DELETE is analysed at a time): {Short(query)}");
            return;
        }

        var scopes = QueryShape.Read(statement.Text) ?? [];
        var tables = await TableCatalog.ReadAsync(reads, executor, database, [.. scopes.SelectMany(s => s.Relations)], notes, ct);
        var candidates = IndexCandidates.For(scopes, tables);
        if (candidates.Count == 0)
        {
            return;
        }

        // Normalized statements ($1) cannot be planned as they are; PostgreSQL 16 plans them generically.
        var parameterized = QueryPlanService.Parameter().IsMatch(statement.Text);
        if (parameterized && version < 160000)
        {
            notes.Add($"Not costed (a statement with $n parameters needs EXPLAIN (GENERIC_PLAN), PostgreSQL 16 or later): {Short(query)}");
            return;
        }

        var explain = parameterized ? "EXPLAIN (GENERIC_PLAN, FORMAT JSON) " : "EXPLAIN (FORMAT JSON) ";
        var sql = new StringBuilder();
        if (hypopg)
        {
            // hypopg's indexes live in the backend, not the transaction: reset before and after so a
            // pooled connection never carries one into another statement's plan.
            sql.Append("SELECT hypopg_reset();\n").Append(explain).Append(statement.Text).Append(";\n");
            foreach (var candidate in candidates)
            {
                sql.Append("SELECT indexrelid::text AS id, hypopg_relation_size(indexrelid) AS size FROM hypopg_create_index(")
                    .Append(PgIdentifiers.QuoteLiteral(candidate.CreateSql(concurrently: false))).Append(");\n")
                    .Append(explain).Append(statement.Text).Append(";\nSELECT hypopg_reset();\n");
            }
        }
        else
        {
            sql.Append(explain).Append(statement.Text).Append(';');
        }

        var outcome = await reads.PlanAsync(executor, channel, database, sql.ToString(), "advisor: what-if index costing", ct);
        if (!outcome.Succeeded)
        {
            notes.Add($"Could not be planned ({outcome.Error}): {Short(query)}");
            if (hypopg)
            {
                // Best effort: the failed batch may have left a hypothetical index on its backend, and
                // the pool most often hands that connection out next. Every advisor batch also starts with a reset.
                await reads.PlanAsync(executor, channel, database, "SELECT hypopg_reset()", "advisor: clear hypothetical indexes", ct);
            }

            return;
        }

        var results = outcome.Statements;
        if (!hypopg)
        {
            var plan = results[0].Rows[0][0] ?? "";
            foreach (var candidate in candidates.Where(c => c.Columns.Count == 1 && ReadsSequentially(plan, c.Table.Name)))
            {
                Record(found, candidate, null, null, query);
            }

            return;
        }

        var before = TotalCost(results[1].Rows[0][0]);
        var best = new Dictionary<CatalogTable, (IndexCandidate Candidate, double Speedup, long Size)>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var created = results[2 + (i * 3)];
            var plan = results[3 + (i * 3)].Rows[0][0] ?? "";
            var id = created.Rows[0][0];
            var after = TotalCost(plan);
            if (!plan.Contains($"<{id}>", StringComparison.Ordinal) || after <= 0)
            {
                continue;
            }

            var speedup = before / after;
            var size = AdvisorReads.Integer(created.Rows[0][1]);
            var table = candidates[i].Table;
            // One index per table per statement: the cheapest plan wins, then the narrower index.
            if (speedup >= MinimumSpeedup && (!best.TryGetValue(table, out var current) || speedup > current.Speedup * 1.05))
            {
                best[table] = (candidates[i], speedup, size);
            }
        }

        foreach (var (candidate, speedup, size) in best.Values)
        {
            Record(found, candidate, speedup, size, query);
        }
    }

    private static void Record(Dictionary<string, Found> found, IndexCandidate candidate, double? speedup, long? size, string query)
    {
        if (!found.TryGetValue(candidate.Key, out var entry))
        {
            found[candidate.Key] = entry = new Found(candidate) { Speedup = speedup, Size = size };
        }

        entry.Speedup = speedup is null ? entry.Speedup : Math.Max(entry.Speedup ?? 0, speedup.Value);
        entry.Queries.Add(query);
    }

    private static double TotalCost(string? planJson)
    {
        using var doc = JsonDocument.Parse(planJson ?? "[]");
        return doc.RootElement[0].GetProperty("Plan").GetProperty("Total Cost").GetDouble();
    }

    private static bool ReadsSequentially(string planJson, string table) =>
        planJson.Contains("\"Seq Scan\"", StringComparison.Ordinal) && planJson.Contains($"\"Relation Name\": {JsonSerializer.Serialize(table)}", StringComparison.Ordinal);

    private static string WriteOverhead(IndexCandidate candidate, long? size)
    {
        var storage = size is { } bytes
            ? FormattableString.Invariant($"about {bytes / 1048576.0:0.#} MiB more to store, vacuum and cache.")
            : "its size could not be estimated without hypopg.";
        return $"Every INSERT, and every UPDATE that changes {string.Join(", ", candidate.Columns)}, also writes this index (such updates are no longer HOT); {storage}";
    }

    private static string Short(string query) => query.Length <= 120 ? query : query[..117] + "...";
}
