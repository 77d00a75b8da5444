namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// A sequence that has used more than three quarters of its range: when it runs out, every INSERT
/// that needs a new id fails. Widening an int column takes a table rewrite, so it needs lead time.
/// </summary>
public sealed class SequenceExhaustionRule : ISchemaLintRule
{
    public const double Threshold = 0.75;

    public string Name => "sequence_near_exhaustion";
    public string Title => "Sequence near exhaustion";
    public string Severity => "error";
    public string Description => "When the sequence runs out, inserts fail; widening the column rewrites the table.";

    public string Sql => $"""
        SELECT format('%I.%I', s.schemaname, s.sequencename),
               format('%s%% of the range used (last value %s of %s, type %s)',
                      round(100.0 * (s.last_value - s.min_value) / nullif(s.max_value - s.min_value, 0), 1),
                      s.last_value, s.max_value, format_type(s.data_type, NULL)),
               format('ALTER SEQUENCE %I.%I AS bigint MAXVALUE 9223372036854775807;  -- and widen the column it feeds to bigint', s.schemaname, s.sequencename)
        FROM pg_sequences s
        JOIN pg_namespace n ON n.nspname = s.schemaname
        WHERE s.last_value IS NOT NULL AND s.increment_by > 0 AND {SchemaLintSql.UserSchema}
          AND (s.last_value - s.min_value)::numeric / nullif(s.max_value - s.min_value, 0) > {Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}
        ORDER BY s.schemaname, s.sequencename
        """;
}
