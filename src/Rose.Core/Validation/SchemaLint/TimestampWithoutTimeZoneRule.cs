namespace Rose.Core.Validation.SchemaLint;

/// <summary>
/// A timestamp without time zone column: the same instant reads differently per session time
/// zone and daylight-saving gaps make some local times ambiguous.
/// </summary>
public sealed class TimestampWithoutTimeZoneRule : ISchemaLintRule
{
    public string Name => "timestamp_without_time_zone";
    public string Title => "Timestamp without time zone";
    public string Severity => "warn";
    public string Description => "Stores wall-clock time with no zone: instants become ambiguous; use timestamptz.";

    public string Sql => $"""
        SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname),
               'column is timestamp without time zone',
               format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE timestamptz USING %I AT TIME ZONE ''UTC'';', n.nspname, c.relname, a.attname, a.attname)
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.atttypid = 'timestamp'::regtype AND a.attnum > 0 AND NOT a.attisdropped
          AND c.relkind IN ('r', 'p') AND {SchemaLintSql.UserSchema}
        ORDER BY n.nspname, c.relname, a.attnum
        """;
}
