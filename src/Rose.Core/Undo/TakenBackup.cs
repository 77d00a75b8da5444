namespace Rose.Core.Undo;

/// <summary>
/// A backup taken in a statement's transaction: a table in schema rose_backup on the target.
/// </summary>
/// <param name="Ordinal">Which of the statement's tables (TRUNCATE a, b) it holds.</param>
/// <param name="WholeTable">True when it holds the whole table (MERGE, TRUNCATE, DROP TABLE), not just the rows changed.</param>
/// <param name="KeyColumns">The primary key, by which rollback matches rows; empty when the table has none.</param>
/// <param name="Columns">Columns a restore writes (generated columns left out).</param>
/// <param name="ChangeXid">The changing transaction's id: rows it updated carry it as xmin until someone changes them again.</param>
public sealed record TakenBackup(
    int StatementIndex,
    int Ordinal,
    string Operation,
    string SourceSchema,
    string SourceTable,
    string BackupTable,
    bool WholeTable,
    long Rows,
    long Bytes,
    IReadOnlyList<string> KeyColumns,
    IReadOnlyList<string> Columns,
    string ChangeXid)
{
    public const string Schema = "rose_backup";

    public string BackupSql => PgIdentifiers.QuoteIdentifier(Schema) + "." + PgIdentifiers.QuoteIdentifier(BackupTable);

    public string SourceSql => PgIdentifiers.QuoteIdentifier(SourceSchema) + "." + PgIdentifiers.QuoteIdentifier(SourceTable);
}
