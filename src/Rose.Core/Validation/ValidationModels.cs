using System.Text.Json.Serialization;

namespace Rose.Core.Validation;

/// <summary>Outcome of one check; string values match rose.validation_results.status.</summary>
public static class CheckStatus
{
    public const string Pass = "pass";
    public const string Warn = "warn";
    public const string Fail = "fail";
    public const string Error = "error";

    /// <summary>Sort order for "failing checks first".</summary>
    public static int Rank(string status) => status switch
    {
        Error => 0,
        Fail => 1,
        Warn => 2,
        _ => 3,
    };
}

/// <summary>The kinds of data check; the names are stored in rose.validation_checks.kind.</summary>
public static class CheckKinds
{
    public const string RowCount = "row_count";
    public const string NotNull = "not_null";
    public const string Duplicates = "duplicates";
    public const string Orphans = "orphans";
    public const string AcceptedValues = "accepted_values";
    public const string Freshness = "freshness";
    public const string CustomSql = "custom_sql";
}

/// <summary>
/// One data check. Stored as rose.validation_checks.definition (JSON), or derived from the catalog
/// for the built-in checks every run performs. Which fields matter depends on <see cref="Kind"/>.
/// </summary>
public sealed record CheckDefinition
{
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("schema")] public string Schema { get; init; } = "public";
    [JsonPropertyName("table")] public required string Table { get; init; }
    [JsonPropertyName("columns")] public IReadOnlyList<string> Columns { get; init; } = [];
    [JsonPropertyName("ref_schema")] public string? RefSchema { get; init; }
    [JsonPropertyName("ref_table")] public string? RefTable { get; init; }
    [JsonPropertyName("ref_columns")] public IReadOnlyList<string> RefColumns { get; init; } = [];
    [JsonPropertyName("values")] public IReadOnlyList<string> Values { get; init; } = [];
    [JsonPropertyName("max_age_minutes")] public double? MaxAgeMinutes { get; init; }

    /// <summary>row_count: the expected count; null = the previous run's count.</summary>
    [JsonPropertyName("baseline")] public long? Baseline { get; init; }

    /// <summary>row_count: allowed relative change from the baseline before a warning (0.5 = 50 %).</summary>
    [JsonPropertyName("tolerance")] public double? Tolerance { get; init; }

    /// <summary>custom_sql: a read query whose rows are the failing rows.</summary>
    [JsonPropertyName("sql")] public string? Sql { get; init; }

    /// <summary>What a finding means: fail (default) or warn.</summary>
    [JsonPropertyName("severity")] public string Severity { get; init; } = CheckStatus.Fail;

    [JsonPropertyName("title")] public string? Title { get; init; }

    /// <summary>Stable identity of the check across runs: results and trends are keyed by it.</summary>
    [JsonIgnore]
    public string Key => Kind switch
    {
        CheckKinds.Orphans => $"{Kind}:{Schema}.{Table}({string.Join(',', Columns)})->{RefSchema ?? Schema}.{RefTable}({string.Join(',', RefColumns)})",
        CheckKinds.CustomSql => $"{Kind}:{Schema}.{Table}:{Title ?? Rose.Core.Audit.AuditHasher.Sha256Hex(Sql ?? string.Empty)[..12]}",
        _ => $"{Kind}:{Schema}.{Table}" + (Columns.Count > 0 ? $"({string.Join(',', Columns)})" : string.Empty),
    };

    [JsonIgnore]
    public string QualifiedTable => Schema == "public" ? Table : $"{Schema}.{Table}";

    /// <summary>A one-line description for pages and the CLI.</summary>
    [JsonIgnore]
    public string Describe => Title ?? Kind switch
    {
        CheckKinds.RowCount => $"{QualifiedTable}: row count",
        CheckKinds.NotNull => $"{QualifiedTable}.{string.Join(", ", Columns)}: no NULLs",
        CheckKinds.Duplicates => $"{QualifiedTable}({string.Join(", ", Columns)}): no duplicates",
        CheckKinds.Orphans => $"{QualifiedTable}({string.Join(", ", Columns)}) -> {RefTable}({string.Join(", ", RefColumns)}): no orphans",
        CheckKinds.AcceptedValues => $"{QualifiedTable}.{string.Join(", ", Columns)}: in ({string.Join(", ", Values)})",
        CheckKinds.Freshness => $"{QualifiedTable}.{string.Join(", ", Columns)}: newer than {MaxAgeMinutes} min",
        _ => $"{QualifiedTable}: custom assertion",
    };
}

/// <summary>What one check found in one run.</summary>
/// <param name="Observed">The measured number (row count, newest age in minutes), for baselines and trends.</param>
public sealed record CheckResult(
    string Key,
    string Kind,
    string Table,
    string? Column,
    string Title,
    string Status,
    long? FailingRows,
    SampleRows? Sample,
    string Sql,
    double DurationMs,
    string? Message,
    decimal? Observed = null);

/// <summary>At most a handful of failing rows, as PostgreSQL text values.</summary>
public sealed record SampleRows(
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("rows")] IReadOnlyList<string?[]> Rows)
{
    public const int MaxRows = 5;
    public const int MaxValueLength = 200;
}

/// <summary>One problem the schema audit found, with SQL that fixes it.</summary>
public sealed record SchemaFinding(string Rule, string Severity, string Object, string Detail, string Remediation);

/// <summary>A check proposed from the catalog, with why it was proposed.</summary>
public sealed record SuggestedCheck(CheckDefinition Definition, string Reason);
