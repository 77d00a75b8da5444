namespace Rose.Core.Validation.Checks;

/// <summary>
/// Row count against a baseline (the definition's, else the previous run's) with a relative
/// tolerance: a sudden drop or jump is the cheapest sign of a broken load or a bad DELETE.
/// </summary>
public sealed class RowCountCheck : IDataCheckKind
{
    public const double DefaultTolerance = 0.5;

    public string Kind => CheckKinds.RowCount;

    public IReadOnlyList<string> Aggregates(CheckDefinition check) => ["count(*)"];

    public string? Query(CheckDefinition check) => null;

    public string? SampleQuery(CheckDefinition check) => null;

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context)
    {
        var count = CheckSql.Long(values[0]);
        decimal? baseline = check.Baseline ?? context.PreviousObserved;
        var tolerance = check.Tolerance ?? DefaultTolerance;
        var text = count.ToString("N0", CultureInfo.InvariantCulture);
        if (baseline is null)
        {
            return new CheckVerdict(CheckStatus.Pass, null, $"{text} rows (first run: this becomes the baseline)", count);
        }

        if (count == 0 && baseline > 0)
        {
            return new CheckVerdict(CheckStatus.Fail, null, $"the table is empty; the baseline is {baseline:N0} rows", count);
        }

        var change = (double)Math.Abs(count - baseline.Value) / Math.Max(1, (double)baseline.Value);
        return change > tolerance
            ? new CheckVerdict(check.Severity == CheckStatus.Fail && check.Baseline is not null ? CheckStatus.Fail : CheckStatus.Warn, null,
                $"{text} rows: {change:P0} away from the baseline of {baseline:N0} (tolerance {tolerance:P0})", count)
            : new CheckVerdict(CheckStatus.Pass, null, $"{text} rows (baseline {baseline:N0})", count);
    }
}
