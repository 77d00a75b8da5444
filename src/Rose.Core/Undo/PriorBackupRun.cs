using Npgsql;

namespace Rose.Core.Undo;

/// <summary>
/// Takes a batch's prior backups on the executor's connection, in each statement's own transaction,
/// just before the statement runs. The table is first locked against other writers (reads go on), so
/// the rows copied are the rows the statement then changes; the copy lands in rose_backup on the
/// target and commits or rolls back with the statement.
/// </summary>
internal sealed class PriorBackupRun(BatchBackupPlan plan, PriorBackupOptions options, bool limited) : IBeforeStatement
{
    private string? changeXid;
    private long? auditId;

    /// <summary>
    /// The attempt's audit id, which names the backup tables. The attempt is written once the target
    /// transaction is open (it carries the transaction id), so the id arrives just before the first statement.
    /// </summary>
    public void Attach(long id) => auditId = id;

    public List<TakenBackup> Taken { get; } = [];

    public async Task BeforeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, SqlStatement statement, CancellationToken ct)
    {
        if (plan.Statements.FirstOrDefault(p => p.StatementIndex == statement.Index) is not { } statementPlan)
        {
            return;
        }

        if (transaction is null)
        {
            throw new PriorBackupException($"Statement {statement.Index + 1} ({statement.Tag}) runs outside a transaction, so no prior backup can be taken with it.");
        }

        try
        {
            for (var ordinal = 0; ordinal < statementPlan.Relations.Count; ordinal++)
            {
                await BackUpAsync(connection, transaction, statementPlan, ordinal, ct);
            }
        }
        catch (PostgresException ex)
        {
            throw new PriorBackupException(
                $"The prior backup of statement {statement.Index + 1} ({statement.Tag}) failed, so the statement did not run: {ex.MessageText} (SQLSTATE {ex.SqlState}).", ex);
        }
    }

    private async Task BackUpAsync(NpgsqlConnection conn, NpgsqlTransaction tx, StatementBackupPlan statementPlan, int ordinal, CancellationToken ct)
    {
        var relation = statementPlan.Relations[ordinal];
        var found = await ReadAsync(conn, tx, """
            SELECT c.oid::bigint, n.nspname::text, c.relname::text, c.relkind::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass($1)
            """, [relation.Sql], ct);
        if (found.Count == 0)
        {
            // DROP TABLE IF EXISTS of a missing table changes nothing; any other statement fails on its own.
            return;
        }

        var (oid, schema, name, kind) = ((long)found[0][0]!, (string)found[0][1]!, (string)found[0][2]!, (string)found[0][3]!);
        if (kind is not ("r" or "p") || (statementPlan.KeepDefinition && kind == "p"))
        {
            throw new PriorBackupRefusedException($"{schema}.{name} is not a plain table (relkind {kind}): Rose cannot back it up before {statementPlan.Operation}.");
        }

        if (statementPlan.Functions.Count > 0)
        {
            var volatileNames = await ReadAsync(conn, tx,
                "SELECT string_agg(DISTINCT proname::text, ', ') FROM pg_proc WHERE proname = ANY($1) AND provolatile = 'v'",
                [statementPlan.Functions.ToArray()], ct);
            if (volatileNames[0][0] is string names)
            {
                throw new PriorBackupRefusedException($"the WHERE clause calls volatile functions ({names}): the rows it picks cannot be copied beforehand.");
            }
        }

        var source = new BackupRelation(schema, name, relation.Only, relation.Alias);
        var lockMode = statementPlan.Where is null && statementPlan.Operation is "TRUNCATE TABLE" or "DROP TABLE" ? "ACCESS EXCLUSIVE" : "SHARE ROW EXCLUSIVE";
        await ExecAsync(conn, tx, $"LOCK TABLE {source.Sql} IN {lockMode} MODE", ct);
        changeXid ??= (string)(await ReadAsync(conn, tx, "SELECT pg_current_xact_id()::text", [], ct))[0][0]!;
        if ((await ReadAsync(conn, tx, "SELECT to_regnamespace($1) IS NULL", [TakenBackup.Schema], ct))[0][0] is true)
        {
            await ExecAsync(conn, tx, $"CREATE SCHEMA {PgIdentifiers.QuoteIdentifier(TakenBackup.Schema)}", ct);
            await ExecAsync(conn, tx, $"COMMENT ON SCHEMA {PgIdentifiers.QuoteIdentifier(TakenBackup.Schema)} IS 'Rose Console prior backups of destructive statements; dropped after Rose:PriorBackup:RetentionDays'", ct);
        }

        var backupName = $"a{AuditId}_{statementPlan.StatementIndex}_{ordinal}";
        var backup = $"{PgIdentifiers.QuoteIdentifier(TakenBackup.Schema)}.{PgIdentifiers.QuoteIdentifier(backupName)}";
        var select = WhereClauseText.SelectSql(source, statementPlan.Where) + (limited ? $" LIMIT {options.MaxRows + 1}" : "");
        if (statementPlan.KeepDefinition)
        {
            // Constraints, indexes and identity travel with the data, so DROP TABLE can be undone.
            await ExecAsync(conn, tx, $"CREATE TABLE {backup} (LIKE {source.Sql} INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING IDENTITY INCLUDING COMMENTS INCLUDING STORAGE)", ct);
        }
        else
        {
            await ExecAsync(conn, tx, $"CREATE TABLE {backup} AS SELECT * FROM {source.Sql} WITH NO DATA", ct);
        }

        var rows = await ExecAsync(conn, tx, $"INSERT INTO {backup} OVERRIDING SYSTEM VALUE {select}", ct);
        if (limited && rows > options.MaxRows)
        {
            throw new PriorBackupRefusedException($"the prior backup of {schema}.{name} would hold more than {options.MaxRows:N0} rows (Rose:PriorBackup:MaxRows).");
        }

        var bytes = (long)(await ReadAsync(conn, tx, "SELECT pg_total_relation_size(to_regclass($1))", [backup], ct))[0][0]!;
        if (limited && bytes > options.MaxBytes)
        {
            throw new PriorBackupRefusedException($"the prior backup of {schema}.{name} would take {bytes:N0} bytes, more than {options.MaxBytes:N0} (Rose:PriorBackup:MaxBytes).");
        }

        var keys = await ReadAsync(conn, tx, """
            SELECT a.attname::text FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = $1::oid AND i.indisprimary ORDER BY k.ord
            """, [oid], ct);
        var columns = await ReadAsync(conn, tx, """
            SELECT a.attname::text FROM pg_attribute a
            WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
            ORDER BY a.attnum
            """, [oid], ct);
        Taken.Add(new TakenBackup(statementPlan.StatementIndex, ordinal, statementPlan.Operation, schema, name, backupName,
            statementPlan.Where is null, rows, bytes, [.. keys.Select(k => (string)k[0]!)], [.. columns.Select(c => (string)c[0]!)], changeXid));
    }

    private static async Task<List<object?[]>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, IReadOnlyList<object> parameters, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        return await CommandRows.ReadAllAsync(cmd, parameters, ct);
    }

    private static async Task<int> ExecAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    // Fail closed: a backup is never named without the attempt it belongs to.
    private long AuditId => auditId ?? throw new PriorBackupException("The audit attempt was not written before the statement, so no prior backup is taken.");
}
