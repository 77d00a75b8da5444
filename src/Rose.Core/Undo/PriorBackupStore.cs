using Rose.Core.Control.Queries;

namespace Rose.Core.Undo;

/// <summary>
/// A prior backup as recorded in the control database: which change took it, where and until when it is
/// kept, and <see cref="Backup"/>, the backup as it was taken (the store reads both from one row).
/// </summary>
public sealed record PriorBackupRecord(
    long Id,
    long AuditId,
    string Database,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? DroppedAt)
{
    public required TakenBackup Backup { get; init; }
}

/// <summary>rose.prior_backups: record, list per change, and the retention job's reads and marks.</summary>
public sealed class PriorBackupStore(ControlDatabase control)
{
    /// <summary>
    /// The record's columns in the order of its parameters, then from "StatementIndex" on those of its
    /// <see cref="TakenBackup"/> in the order of that record's parameters; the row reader splits each row there.
    /// </summary>
    private const string Columns = """
        b.id AS "Id", b.audit_id AS "AuditId", b.database_name AS "Database", b.created_at AS "CreatedAt", b.expires_at AS "ExpiresAt",
        b.dropped_at AS "DroppedAt", b.statement_index AS "StatementIndex", b.ordinal AS "Ordinal", b.operation AS "Operation",
        b.source_schema AS "SourceSchema", b.source_table AS "SourceTable", b.backup_table AS "BackupTable", b.whole_table AS "WholeTable",
        b.row_count AS "Rows", b.byte_count AS "Bytes", b.key_columns AS "KeyColumns", b.columns AS "Columns", b.change_xid AS "ChangeXid"
        """;

    public async Task RecordAsync(long auditId, string database, IReadOnlyList<TakenBackup> backups, TimeSpan retention, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(backups);
        foreach (var b in backups)
        {
            await control.ExecuteAsync("""
                INSERT INTO rose.prior_backups (audit_id, statement_index, ordinal, database_name, operation, source_schema, source_table,
                    backup_table, whole_table, row_count, byte_count, key_columns, columns, change_xid, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now() + $15)
                """, new(
                PgParam.Long(auditId), PgParam.Int(b.StatementIndex), PgParam.Int(b.Ordinal), PgParam.Text(database),
                PgParam.Text(b.Operation), PgParam.Text(b.SourceSchema), PgParam.Text(b.SourceTable), PgParam.Text(b.BackupTable),
                PgParam.Bool(b.WholeTable), PgParam.Long(b.Rows), PgParam.Long(b.Bytes), PgParam.TextArray(b.KeyColumns),
                PgParam.TextArray(b.Columns), PgParam.Text(b.ChangeXid), PgParam.Interval(retention)), ct);
        }
    }

    /// <summary>A change's backups in the order they were taken.</summary>
    public Task<IReadOnlyList<PriorBackupRecord>> ForAuditAsync(long auditId, CancellationToken ct) =>
        QueryAsync(
            $"SELECT {Columns} FROM rose.prior_backups b WHERE b.audit_id = $1 ORDER BY b.statement_index, b.ordinal, b.id",
            new(PgParam.Long(auditId)), ct);

    /// <summary>Live backups past their retention, oldest first.</summary>
    public Task<IReadOnlyList<PriorBackupRecord>> ExpiredAsync(int limit, CancellationToken ct) =>
        QueryAsync(
            $"SELECT {Columns} FROM rose.prior_backups b WHERE b.dropped_at IS NULL AND b.expires_at <= now() ORDER BY b.expires_at, b.id LIMIT $1",
            new(PgParam.Int(limit)), ct);

    /// <summary>Live backups, newest first (the snapshots list).</summary>
    public Task<IReadOnlyList<PriorBackupRecord>> LiveAsync(string? database, int limit, CancellationToken ct) =>
        QueryAsync(
            $"SELECT {Columns} FROM rose.prior_backups b WHERE b.dropped_at IS NULL AND ($1::text IS NULL OR b.database_name = $1) ORDER BY b.id DESC LIMIT $2",
            new(PgParam.Text(database), PgParam.Int(limit)), ct);

    public Task MarkDroppedAsync(long id, CancellationToken ct) =>
        control.ExecuteAsync("UPDATE rose.prior_backups SET dropped_at = now() WHERE id = $1 AND dropped_at IS NULL", new(PgParam.Long(id)), ct);

    private Task<IReadOnlyList<PriorBackupRecord>> QueryAsync(string sql, PositionalParameters parameters, CancellationToken ct) =>
        control.QueryAsync<PriorBackupRecord, TakenBackup, PriorBackupRecord>(sql, "StatementIndex", (record, backup) => record with { Backup = backup }, parameters, ct);
}
