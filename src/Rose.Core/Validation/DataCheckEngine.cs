using Rose.Core.Validation.Checks;

namespace Rose.Core.Validation;

/// <summary>
/// Runs data checks with as few scans as possible: per table, one read batch holding a single
/// aggregate SELECT (row count, NOT NULL, accepted values, freshness as FILTER clauses) plus one
/// query per duplicates/orphans check; samples of failing aggregate checks in one more batch; each
/// custom assertion on its own so a broken one cannot hide the others.
/// </summary>
internal sealed class DataCheckEngine(TargetReader reader, ISqlClassifier classifier, Actor executor, string database,
    IReadOnlyDictionary<string, decimal> previous, DateTimeOffset now)
{
    /// <summary>How many steps <see cref="RunAsync"/> announces: one per table with checks, one per custom assertion.</summary>
    public static int Steps(IReadOnlyList<CheckDefinition> checks, TargetCatalog catalog) =>
        TableGroups(checks, catalog).Count() + checks.Count(c => c.Kind == CheckKinds.CustomSql);

    /// <param name="step">Called as each table's checks and each assertion begin (stage, message), for progress.</param>
    public async Task<List<CheckResult>> RunAsync(IReadOnlyList<CheckDefinition> checks, TargetCatalog catalog, Action<string, string>? step, CancellationToken ct)
    {
        var results = new List<CheckResult>();
        foreach (var check in checks.Where(c => c.Kind != CheckKinds.CustomSql && !catalog.HasTable(c.Schema, c.Table)))
        {
            results.Add(Error(check, string.Empty, $"table {check.QualifiedTable} does not exist (or is not visible to Rose)"));
        }

        foreach (var table in TableGroups(checks, catalog))
        {
            ct.ThrowIfCancellationRequested();
            var list = table.ToList();
            step?.Invoke(ValidationProgress.Checks, $"checks on {list[0].Schema}.{list[0].Table}");
            results.AddRange(await RunTableAsync(list, ct));
        }

        foreach (var check in checks.Where(c => c.Kind == CheckKinds.CustomSql))
        {
            ct.ThrowIfCancellationRequested();
            step?.Invoke(ValidationProgress.Assertion, $"assertion on {check.Schema}.{check.Table}");
            results.Add(await RunCustomAsync(check, ct));
        }

        return results;
    }

    /// <summary>The checks that share one scan, per existing table, in a stable order.</summary>
    private static IEnumerable<IGrouping<(string Schema, string Table), CheckDefinition>> TableGroups(IReadOnlyList<CheckDefinition> checks, TargetCatalog catalog) =>
        checks.Where(c => c.Kind != CheckKinds.CustomSql && catalog.HasTable(c.Schema, c.Table))
            .GroupBy(c => (c.Schema, c.Table)).OrderBy(g => g.Key.Schema, StringComparer.Ordinal).ThenBy(g => g.Key.Table, StringComparer.Ordinal);

    private async Task<List<CheckResult>> RunTableAsync(List<CheckDefinition> checks, CancellationToken ct)
    {
        var results = new List<CheckResult>();
        var planned = new List<(CheckDefinition Check, IDataCheckKind Kind)>();
        foreach (var check in checks)
        {
            try
            {
                var kind = DataCheckKinds.Get(check.Kind);
                _ = kind.Aggregates(check);
                _ = kind.Query(check);
                planned.Add((check, kind));
            }
            catch (ValidationException ex)
            {
                results.Add(Error(check, string.Empty, ex.Message));
            }
        }

        // The shared scan: each distinct expression is one column, however many checks use it.
        var expressions = new List<string>();
        var slots = new Dictionary<CheckDefinition, int[]>();
        foreach (var (check, kind) in planned.Where(p => p.Kind.Aggregates(p.Check).Count > 0))
        {
            slots[check] = kind.Aggregates(check).Select(e =>
            {
                var i = expressions.IndexOf(e);
                if (i < 0)
                {
                    expressions.Add(e);
                    i = expressions.Count - 1;
                }

                return i;
            }).ToArray();
        }

        var statements = new List<string>();
        if (expressions.Count > 0)
        {
            var first = slots.Keys.First();
            statements.Add($"SELECT {string.Join(", ", expressions.Select((e, i) => $"{e} AS c{i}"))} FROM {CheckSql.Table(first)}");
        }

        var queryChecks = planned.Where(p => p.Kind.Query(p.Check) is not null).ToList();
        statements.AddRange(queryChecks.Select(p => p.Kind.Query(p.Check)!));
        var answers = await ReadEachAsync(statements, $"validation: checks of {checks[0].QualifiedTable}", ct);

        var failedAggregates = new List<(CheckDefinition Check, IDataCheckKind Kind, CheckResult Result)>();
        if (expressions.Count > 0)
        {
            var aggregateChecks = planned.Where(p => slots.ContainsKey(p.Check)).ToList();
            var shared = answers[0];
            // One bad expression (a freshness check on a text column) fails the shared scan: then each
            // aggregate check gets a scan of its own so the others still report.
            var alone = shared.Answer is null && aggregateChecks.Count > 1
                ? await ReadEachAsync(aggregateChecks.Select(p => AggregateSql(p.Check, p.Kind)).ToList(), $"validation: checks of {checks[0].QualifiedTable} one by one", ct)
                : null;
            for (var n = 0; n < aggregateChecks.Count; n++)
            {
                var (check, kind) = aggregateChecks[n];
                var (answer, error) = alone?[n] ?? shared;
                var sql = alone is null ? statements[0] : AggregateSql(check, kind);
                if (answer is null || answer.Rows.Count == 0)
                {
                    results.Add(Error(check, sql, error ?? "no answer"));
                    continue;
                }

                var values = alone is null
                    ? slots[check].Select(i => answer.Rows[0][i]).ToList()
                    : Enumerable.Range(0, kind.Aggregates(check).Count).Select(i => answer.Rows[0][i]).ToList();
                var result = Build(check, kind, values, sql, answer.DurationMs, null);
                results.Add(result);
                if (result.Status is CheckStatus.Fail or CheckStatus.Warn && kind.SampleQuery(check) is not null)
                {
                    failedAggregates.Add((check, kind, result));
                }
            }
        }

        var offset = expressions.Count > 0 ? 1 : 0;
        for (var i = 0; i < queryChecks.Count; i++)
        {
            var (check, kind) = queryChecks[i];
            var (answer, error) = answers[offset + i];
            results.Add(answer is null
                ? Error(check, statements[offset + i], error ?? "no answer")
                : Build(check, kind, [answer.Rows.Count > 0 ? answer.Rows[0][0] : "0"], statements[offset + i], answer.DurationMs, Sample(answer, skip: 1)));
        }

        await AttachSamplesAsync(results, failedAggregates, ct);
        return results;
    }

    private static string AggregateSql(CheckDefinition check, IDataCheckKind kind) =>
        $"SELECT {string.Join(", ", kind.Aggregates(check).Select((e, i) => $"{e} AS c{i}"))} FROM {CheckSql.Table(check)}";

    /// <summary>Samples of failing aggregate checks, fetched only when something failed.</summary>
    private async Task AttachSamplesAsync(List<CheckResult> results, List<(CheckDefinition Check, IDataCheckKind Kind, CheckResult Result)> failed, CancellationToken ct)
    {
        if (failed.Count == 0)
        {
            return;
        }

        var answers = await ReadEachAsync(failed.Select(f => f.Kind.SampleQuery(f.Check)!).ToList(), $"validation: samples of {failed[0].Check.QualifiedTable}", ct);
        for (var i = 0; i < failed.Count; i++)
        {
            if (answers[i].Answer is { } answer)
            {
                var index = results.IndexOf(failed[i].Result);
                results[index] = failed[i].Result with { Sample = Sample(answer, skip: 0) };
            }
        }
    }

    private async Task<CheckResult> RunCustomAsync(CheckDefinition check, CancellationToken ct)
    {
        if (CustomSqlCheck.Refusal(classifier, check.Sql) is { } refusal)
        {
            return Error(check, check.Sql ?? string.Empty, "refused: " + refusal);
        }

        var kind = DataCheckKinds.Get(CheckKinds.CustomSql);
        var sql = kind.Query(check)!;
        var (answer, error) = (await ReadEachAsync([sql], $"validation: assertion on {check.QualifiedTable}", ct))[0];
        return answer is null
            ? Error(check, sql, error ?? "no answer")
            : Build(check, kind, [answer.Rows.Count > 0 ? answer.Rows[0][0] : "0"], sql, answer.DurationMs, Sample(answer, skip: 1));
    }

    /// <summary>
    /// Runs the statements as one audited batch; if the batch fails, each statement again on its own,
    /// so one broken check (a dropped column, a timeout) does not take its neighbours down with it.
    /// </summary>
    private async Task<List<(StatementResult? Answer, string? Error)>> ReadEachAsync(List<string> statements, string reason, CancellationToken ct)
    {
        if (statements.Count == 0)
        {
            return [];
        }

        var batch = await reader.ReadAsync(executor, database, string.Join(";\n", statements), reason, ct);
        if (batch.Succeeded && batch.Statements.Count == statements.Count)
        {
            return batch.Statements.Select(s => ((StatementResult?)s, (string?)null)).ToList();
        }

        if (statements.Count == 1)
        {
            return [(null, batch.Error)];
        }

        var list = new List<(StatementResult?, string?)>();
        foreach (var statement in statements)
        {
            var one = await reader.ReadAsync(executor, database, statement, reason, ct);
            list.Add(one.Succeeded && one.Statements.Count == 1 ? (one.Statements[0], null) : (null, one.Error));
        }

        return list;
    }

    private CheckResult Build(CheckDefinition check, IDataCheckKind kind, IReadOnlyList<string?> values, string sql, double durationMs, SampleRows? sample)
    {
        CheckVerdict verdict;
        try
        {
            verdict = kind.Evaluate(check, values, new CheckContext(previous.TryGetValue(check.Key, out var p) ? p : null, now));
        }
        catch (FormatException ex)
        {
            return Error(check, sql, "unexpected value: " + ex.Message);
        }

        return new CheckResult(check.Key, check.Kind, check.QualifiedTable, Column(check), check.Describe, verdict.Status, verdict.FailingRows,
            verdict.Status == CheckStatus.Pass ? null : sample, sql, durationMs, verdict.Message, verdict.Observed);
    }

    private static CheckResult Error(CheckDefinition check, string sql, string message) =>
        new(check.Key, check.Kind, check.QualifiedTable, Column(check), check.Describe, CheckStatus.Error, null, null, sql, 0, message);

    private static string? Column(CheckDefinition check) => check.Columns.Count == 0 ? null : string.Join(",", check.Columns);

    private static SampleRows? Sample(StatementResult answer, int skip)
    {
        if (answer.Rows.Count == 0)
        {
            return null;
        }

        return new SampleRows(answer.Columns.Skip(skip).Select(c => c.Name).ToList(),
            answer.Rows.Take(SampleRows.MaxRows).Select(r => r.Skip(skip).Select(Trim).ToArray()).ToList());
    }

    private static string? Trim(string? value) =>
        value is { Length: > SampleRows.MaxValueLength } ? value[..SampleRows.MaxValueLength] + "…" : value;
}
