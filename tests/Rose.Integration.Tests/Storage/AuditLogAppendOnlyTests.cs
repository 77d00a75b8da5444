namespace Rose.Integration.Tests.Storage;

public sealed class AuditLogAppendOnlyTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>
{
    private const string InsertRow = """
        INSERT INTO rose.audit_log (occurred_at, executor_id, executor_name, executor_kind, provider, channel,
            database_name, sql_text, sql_length, sql_hash, operations, decision, decision_reasons, prev_hash, row_hash)
        VALUES (now(), 'agent-1', 'Agent', 'agent', 'api-key', 'api', 'demo', 'SELECT 1', 8, 'h', '{SELECT}',
            'allow', '{}', '', 'r')
        RETURNING id
        """;

    [Theory]
    [InlineData("UPDATE rose.audit_log SET reason = 'rewritten'")]
    [InlineData("DELETE FROM rose.audit_log")]
    [InlineData("TRUNCATE rose.audit_log CASCADE")]
    public async Task AuditLog_ChangeExistingRows_Refused(string change)
    {
        // The schema as the migrator leaves it: a copy of the run's migrated template.
        await using var db = NpgsqlDataSource.Create(await pg.CreateControlDatabaseAsync("audit_append"));
        await using (var insert = db.CreateCommand(InsertRow))
        {
            Assert.IsType<long>(await insert.ExecuteScalarAsync());
        }

        await using var cmd = db.CreateCommand(change);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());

        Assert.Equal("42501", ex.SqlState);
        Assert.Contains("append-only", ex.MessageText, StringComparison.Ordinal);
        await using var count = db.CreateCommand("SELECT count(*) FROM rose.audit_log WHERE reason IS NULL");
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AuditOutcome_Update_Refused()
    {
        // The schema as the migrator leaves it: a copy of the run's migrated template.
        await using var db = NpgsqlDataSource.Create(await pg.CreateControlDatabaseAsync("audit_outcome"));
        await using (var insert = db.CreateCommand(
            $"WITH a AS ({InsertRow}) INSERT INTO rose.audit_outcome (audit_id, finished_at, status, outcome_hash) SELECT id, now(), 'succeeded', 'o' FROM a"))
        {
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using var cmd = db.CreateCommand("UPDATE rose.audit_outcome SET status = 'failed'");
        var ex = await Assert.ThrowsAsync<PostgresException>(() => cmd.ExecuteNonQueryAsync());

        Assert.Equal("42501", ex.SqlState);
    }
}
