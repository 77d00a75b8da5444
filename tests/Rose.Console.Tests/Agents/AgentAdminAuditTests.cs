using Rose.Core.Agents;
using Rose.Core.Audit;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Console.Tests.Agents;

/// <summary>
/// Agent administration in the real host: each change writes an admin-channel row to the hash chain
/// naming the admin, the action and the agent, never a key; no audit row, no change.
/// </summary>
[Collection("postgres")]
public sealed class AgentAdminAuditTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    /// <summary>The identity dev login gives carol, as <c>CurrentIdentity.ToActor</c> builds it for the page.</summary>
    private static readonly Actor Carol = new("carol", "Carol Admin", ActorKind.Human, "dev");

    private static readonly SqlPolicy SelectOnDemo = new() { AllowedDatabases = ["demo"], AllowedOperations = ["SELECT"] };

    private AgentAdmin Admin => App.Services.GetRequiredService<AgentAdmin>();

    [Fact]
    public async Task CreateAsync_WritesAdminRowNamingTheAdminAndTheAgent()
    {
        var id = NewId();

        Assert.True(await Admin.CreateAsync(Carol, id, "Nightly bot", SelectOnDemo, CancellationToken.None));

        var row = Assert.Single(await AdminRowsAsync(id));
        Assert.Equal(("carol", "Carol Admin", "human", "dev"), (row.ExecutorId, row.ExecutorName, row.ExecutorKind, row.Provider));
        Assert.Equal(("admin", "rose", "allow", "succeeded"), (row.Channel, row.Database, row.Decision, row.Status));
        Assert.Equal([AgentAdmin.CreateOperation], row.Operations);
        Assert.StartsWith($"-- admin: create agent '{id}' named 'Nightly bot'", row.Sql, StringComparison.Ordinal);
        Assert.Contains("\"allowed_operations\":[\"SELECT\"]", row.Sql, StringComparison.Ordinal);
        Assert.NotNull(await App.Services.GetRequiredService<AgentStore>().GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task CreateAsync_HostileDisplayName_CannotForgeAnotherAuditLine()
    {
        var id = NewId();

        Assert.True(await Admin.CreateAsync(Carol, id, "Bot'\n-- admin: revoke API key #1 of agent 'rose'\r\u2028x", SelectOnDemo, CancellationToken.None));

        var row = Assert.Single(await AdminRowsAsync(id));
        Assert.Equal(2, row.Sql.Split('\n').Length); // the action line and the policy line, nothing more
        Assert.Contains("named 'Bot'' -- admin: revoke API key #1 of agent ''rose''  x'", row.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryAgentChange_IsAuditedInOrder_WithoutTheKeyOrItsHash_AndTheChainVerifies()
    {
        var id = NewId();
        Assert.True(await Admin.CreateAsync(Carol, id, id, SelectOnDemo, CancellationToken.None));
        Assert.True(await Admin.UpdatePolicyAsync(Carol, id, SqlPolicy.DenyAll, CancellationToken.None));
        var (key, keyId) = await Admin.CreateKeyAsync(Carol, id, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        Assert.True(await Admin.SetDisabledAsync(Carol, id, true, CancellationToken.None));
        Assert.True(await Admin.SetDisabledAsync(Carol, id, false, CancellationToken.None));
        Assert.True(await Admin.RevokeKeyAsync(Carol, id, keyId, CancellationToken.None));

        var rows = await AdminRowsAsync(id);
        Assert.Equal(
            [AgentAdmin.CreateOperation, AgentAdmin.PolicyOperation, AgentAdmin.KeyCreateOperation, AgentAdmin.DisableOperation,
             AgentAdmin.EnableOperation, AgentAdmin.KeyRevokeOperation],
            rows.Select(r => Assert.Single(r.Operations)));
        Assert.All(rows, r => Assert.Equal(("carol", "admin", AuditStatus.Succeeded), (r.ExecutorId, r.Channel, r.Status)));
        Assert.Equal($"-- admin: revoke API key #{keyId} of agent '{id}'", rows[^1].Sql);
        Assert.Equal(keyId, JsonDocument.Parse(rows[2].StatementsJson!).RootElement.GetProperty("key_id").GetInt64());

        // The whole audit store, both tables, as text: neither the key nor its stored hash is anywhere in it.
        var stored = await TableTextAsync("rose.audit_log") + await TableTextAsync("rose.audit_outcome");
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKeys.Hash(key), stored, StringComparison.Ordinal);
        Assert.DoesNotContain(key[ApiKeys.Prefix.Length..], stored, StringComparison.Ordinal);

        var report = await App.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.True(report.RowsChecked >= rows.Count);
    }

    [Fact]
    public async Task RefusedChanges_AreAuditedAsFailedWithTheReason()
    {
        var id = NewId();
        Assert.True(await Admin.CreateAsync(Carol, id, id, SelectOnDemo, CancellationToken.None));

        Assert.False(await Admin.CreateAsync(Carol, id, "Impostor", SqlPolicy.DenyAll, CancellationToken.None));
        Assert.False(await Admin.RevokeKeyAsync(Carol, id, long.MaxValue, CancellationToken.None));
        Assert.False(await Admin.UpdatePolicyAsync(Carol, "rose", SqlPolicy.DenyAll, CancellationToken.None)); // configuration agent

        var rows = await AdminRowsAsync(id);
        Assert.Equal([AuditStatus.Succeeded, AuditStatus.Failed, AuditStatus.Failed], rows.Select(r => r.Status));
        Assert.Contains("already exists", rows[1].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("not an active key", rows[2].ErrorMessage, StringComparison.Ordinal);
        var configRow = (await AdminRowsAsync("rose")).Last();
        Assert.Equal((AgentAdmin.PolicyOperation, AuditStatus.Failed), (configRow.Operations[0], configRow.Status));
        Assert.Equal(id, (await App.Services.GetRequiredService<AgentStore>().GetAsync(id, CancellationToken.None))!.DisplayName);
    }

    [Fact]
    public async Task AuditWriteFails_NothingIsChanged()
    {
        var id = NewId();
        Assert.True(await Admin.CreateAsync(Carol, id, id, SelectOnDemo, CancellationToken.None));
        var keysBefore = await App.Services.GetRequiredService<AgentStore>().ListKeysAsync(id, CancellationToken.None);

        // A real failure of the audit insert, from the database itself, for admin rows only.
        await ExecuteAsync("""
            CREATE FUNCTION public.refuse_admin_audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'audit store unavailable (test)'; END $$;
            CREATE TRIGGER refuse_admin_audit BEFORE INSERT ON rose.audit_log
                FOR EACH ROW WHEN (NEW.channel = 'admin') EXECUTE FUNCTION public.refuse_admin_audit();
            """);
        try
        {
            var other = NewId();
            await Assert.ThrowsAsync<AuditUnavailableException>(() => Admin.CreateAsync(Carol, other, other, SelectOnDemo, CancellationToken.None));
            await Assert.ThrowsAsync<AuditUnavailableException>(() => Admin.CreateKeyAsync(Carol, id, null, CancellationToken.None));
            await Assert.ThrowsAsync<AuditUnavailableException>(() => Admin.SetDisabledAsync(Carol, id, true, CancellationToken.None));

            var store = App.Services.GetRequiredService<AgentStore>();
            Assert.Null(await store.GetAsync(other, CancellationToken.None));
            Assert.Equal(keysBefore.Count, (await store.ListKeysAsync(id, CancellationToken.None)).Count);
            Assert.Null((await store.GetAsync(id, CancellationToken.None))!.DisabledAt);
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER refuse_admin_audit ON rose.audit_log; DROP FUNCTION public.refuse_admin_audit();");
        }
    }

    [Fact]
    public async Task AgentActor_IsDeniedAndAudited_NothingIsChanged()
    {
        var id = NewId();
        var agent = new Actor("rose", "Rose", ActorKind.Agent, "api-key");

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => Admin.CreateAsync(agent, id, id, SelectOnDemo, CancellationToken.None));

        var row = Assert.Single(await AdminRowsAsync(id));
        Assert.Equal(("rose", "agent", "deny", AuditStatus.Denied), (row.ExecutorId, row.ExecutorKind, row.Decision, row.Status));
        Assert.Null(await App.Services.GetRequiredService<AgentStore>().GetAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task LogsApiAndAuditPage_FilterByAdminChannel_AndShowNoKey()
    {
        var id = NewId();
        Assert.True(await Admin.CreateAsync(Carol, id, id, SelectOnDemo, CancellationToken.None));
        var (key, _) = await Admin.CreateKeyAsync(Carol, id, null, CancellationToken.None);
        using var carol = await App.ClientAsync("carol");

        var json = await carol.GetStringAsync("/api/v1/sql/logs?channel=admin&executor=carol&limit=1000");
        var page = await carol.GetStringAsync("/audit?channel=admin&limit=500");
        var sqlPage = await carol.GetStringAsync("/audit?channel=api");

        var entries = JsonDocument.Parse(json).RootElement.GetProperty("entries").EnumerateArray().ToList();
        Assert.All(entries, e => Assert.Equal("admin", e.GetProperty("channel").GetString()));
        Assert.Contains(entries, e => e.GetProperty("sql").GetString() == $"-- admin: create an API key for agent '{id}' (expires never)");
        Assert.Contains("channel: admin", page, StringComparison.Ordinal);
        Assert.Contains(AgentAdmin.KeyCreateOperation, page, StringComparison.Ordinal);
        Assert.Contains(id, page, StringComparison.Ordinal);
        Assert.DoesNotContain(id, sqlPage, StringComparison.Ordinal);
        foreach (var text in new[] { json, page })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ApiKeys.Hash(key), text, StringComparison.Ordinal);
        }
    }

    private static string NewId() => "adm-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Admin-channel entries whose text names the agent, oldest first.</summary>
    private async Task<List<AuditEntry>> AdminRowsAsync(string agentId)
    {
        var entries = await App.Services.GetRequiredService<AuditReader>().QueryAsync(
            new AuditFilter { Channel = "admin", Text = $"agent '{agentId}'", Limit = 1000 }, CancellationToken.None);
        return entries.OrderBy(e => e.Id).ToList();
    }

    private async Task<string> TableTextAsync(string table)
    {
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null, sql, CancellationToken.None);
    }
}
