namespace Rose.Core.Validation.Checks;

/// <summary>
/// The newest value of a timestamp column is recent enough: a table that stopped receiving rows
/// usually means a pipeline upstream stopped, which no constraint can catch.
/// </summary>
public sealed class FreshnessCheck : IDataCheckKind
{
    public const double DefaultMaxAgeMinutes = 24 * 60;

    public string Kind => CheckKinds.Freshness;

    public IReadOnlyList<string> Aggregates(CheckDefinition check) =>
        [$"round((extract(epoch FROM now() - max({CheckSql.Id(CheckSql.RequireColumns(check, 1)[0])})::timestamptz) / 60)::numeric, 1)"];

    public string? Query(CheckDefinition check) => null;

    public string? SampleQuery(CheckDefinition check)
    {
        var column = CheckSql.Id(check.Columns[0]);
        return $"SELECT * FROM {CheckSql.Table(check)} WHERE {column} IS NOT NULL ORDER BY {column} DESC LIMIT 1";
    }

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context)
    {
        var maxAge = check.MaxAgeMinutes ?? DefaultMaxAgeMinutes;
        if (values[0] is null)
        {
            return new CheckVerdict(Bad(check), null, "no rows with a value: nothing has ever arrived");
        }

        var age = decimal.Parse(values[0]!, NumberStyles.Float, CultureInfo.InvariantCulture);
        return (double)age <= maxAge
            ? new CheckVerdict(CheckStatus.Pass, null, $"newest row is {Age(age)} old", age)
            : new CheckVerdict(Bad(check), null, $"newest row is {Age(age)} old; the limit is {Age((decimal)maxAge)}", age);
    }

    private static string Bad(CheckDefinition check) => check.Severity == CheckStatus.Warn ? CheckStatus.Warn : CheckStatus.Fail;

    private static string Age(decimal minutes) => minutes switch
    {
        < 120 => $"{minutes:0.#} min",
        < 2880 => $"{minutes / 60:0.#} h",
        _ => $"{minutes / 1440:0.#} days",
    };
}
