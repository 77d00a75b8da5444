namespace Rose.Core.Undo;

/// <summary>A relation a statement changes, as the statement names it.</summary>
/// <param name="Schema">The schema as written, or null when the name is resolved by search_path.</param>
/// <param name="Only">True for "ONLY t": inheritance children are left alone, and out of the backup.</param>
/// <param name="Alias">The alias the statement gives it, which its WHERE clause may use.</param>
public sealed record BackupRelation(string? Schema, string Name, bool Only, string? Alias)
{
    /// <summary>The relation quoted as SQL, schema-qualified when the statement qualified it.</summary>
    public string Sql => (Schema is null ? "" : PgIdentifiers.QuoteIdentifier(Schema) + ".") + PgIdentifiers.QuoteIdentifier(Name);

    public string Display => Schema is null ? Name : Schema + "." + Name;
}

/// <summary>
/// What one statement's prior backup copies: the rows its WHERE clause selects (UPDATE, DELETE), or
/// whole tables (MERGE, TRUNCATE, DROP TABLE, and UPDATE/DELETE without WHERE).
/// </summary>
/// <param name="Where">The statement's own WHERE condition text, proven by the parser to be the same expression; null = every row.</param>
/// <param name="Functions">Functions the WHERE clause calls: a volatile one makes the rows unpredictable and the backup is refused.</param>
/// <param name="KeepDefinition">True for DROP TABLE: the backup keeps the table's constraints and indexes so it can be recreated.</param>
public sealed record StatementBackupPlan(
    int StatementIndex,
    string Operation,
    IReadOnlyList<BackupRelation> Relations,
    string? Where,
    IReadOnlyList<string> Functions,
    bool KeepDefinition,
    bool SkipMissing);

/// <summary>The prior backups a batch needs, or why none can be promised.</summary>
public sealed record BatchBackupPlan(IReadOnlyList<StatementBackupPlan> Statements, string? Unavailable)
{
    public static readonly BatchBackupPlan None = new([], null);

    public bool NeedsBackup => Statements.Count > 0 || Unavailable is not null;
}
