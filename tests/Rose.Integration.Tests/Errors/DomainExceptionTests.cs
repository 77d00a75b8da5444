using Rose.Core.Audit;
using Rose.Core.Control;
using Rose.Core.Devlogs;
using Rose.Core.Errors;

namespace Rose.Integration.Tests.Errors;

/// <summary>
/// The services hosts call throw Core's domain exceptions, carrying what PostgreSQL said, and never the
/// driver's: a real constraint violation on the control database, and a control database nobody answers on.
/// </summary>
[Collection("postgres")]
public sealed class DomainExceptionTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    [Fact]
    public async Task DevlogStore_AuditIdThatIsNoEntry_ThrowsADatabaseErrorWithTheForeignKeySqlState()
    {
        var store = Harness.Services.GetRequiredService<DevlogStore>();
        var draft = new DevlogDraft(PipelineHarness.Alice, "t", "note", "orphan", "points at no audit row", [], AuditId: 987_654_321);

        var error = await Assert.ThrowsAsync<DatabaseErrorException>(() => store.CreateAsync(draft, CancellationToken.None));

        Assert.Equal(DatabaseErrors.ForeignKeyViolation, error.SqlState);
        Assert.True(error.IsConstraintViolation);
        Assert.False(string.IsNullOrEmpty(error.ConstraintName));
        // The message is the server's, unchanged, so pages and problem documents read as before.
        Assert.Equal(error.InnerException!.Message, error.Message);
        Assert.StartsWith("23503: ", error.Message, StringComparison.Ordinal);
        Assert.False(DatabaseErrors.IsUnavailable(error));
    }

    [Fact]
    public async Task AuditReader_ControlDatabaseUnreachable_ThrowsDatabaseUnavailable()
    {
        // A port nothing listens on: the real driver fails to connect.
        await using var control = new ControlDatabase($"Host=127.0.0.1;Port={ClosedPort()};Username=rose;Password=unused;Database=rose;Timeout=3");
        var reader = new AuditReader(control);

        var error = await Assert.ThrowsAsync<DatabaseUnavailableException>(() => reader.PageAsync(new AuditFilter(), CancellationToken.None));

        Assert.Null(error.SqlState);
        Assert.True(DatabaseErrors.IsUnavailable(error));
        Assert.DoesNotContain("unused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevlogStore_ServerError_CarriesSqlStatePositionAndMessageText()
    {
        var store = Harness.Services.GetRequiredService<DevlogStore>();
        await Harness.ControlScalarAsync<int>("ALTER TABLE rose.devlogs RENAME TO devlogs_moved");

        var error = await Assert.ThrowsAsync<DatabaseErrorException>(() => store.ListAsync(new DevlogFilter(), CancellationToken.None));

        Assert.Equal("42P01", error.SqlState);
        Assert.NotNull(error.Position);
        Assert.Contains("devlogs", error.MessageText, StringComparison.Ordinal);
        Assert.False(error.IsConstraintViolation);
        Assert.False(DatabaseErrors.IsUnavailable(error));
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
