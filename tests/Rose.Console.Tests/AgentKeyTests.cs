using Rose.Core.Agents;

namespace Rose.Console.Tests;

/// <summary>API keys: only hashes are stored; revoked, expired and disabled keys get 401; the audit log names the caller.</summary>
[Collection("postgres")]
public sealed class AgentKeyTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    private static readonly object Select1 = new { database = "demo", sql = "SELECT 1", reason = "key test" };

    private AgentStore Store => App.Services.GetRequiredService<AgentStore>();

    private async Task<HttpStatusCode> CallAsync(string key)
    {
        using var client = App.AgentClient(key);
        using var response = await client.PostAsJsonAsync("/api/v1/sql/execute", Select1);
        return response.StatusCode;
    }

    [Fact]
    public async Task CreateKey_WorksAndOnlyItsHashIsStored()
    {
        var (key, _) = await Store.CreateKeyAsync("rose", null, CancellationToken.None);

        var status = await CallAsync(key);
        var stored = await TableTextAsync("rose.api_keys") + await TableTextAsync("rose.agents") + await TableTextAsync("rose.audit_log");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith(ApiKeys.Prefix, key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(RoseAppFactory.AgentKey, stored, StringComparison.Ordinal);
        Assert.Contains(ApiKeys.Hash(key), stored, StringComparison.Ordinal);
        Assert.Contains(ApiKeys.Hash(RoseAppFactory.AgentKey), stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKey_Is401()
    {
        var (key, keyId) = await Store.CreateKeyAsync("rose", null, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(key));

        Assert.True(await Store.RevokeKeyAsync("rose", keyId, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(key));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(RoseAppFactory.AgentKey));
    }

    [Fact]
    public async Task CachedKey_RevokedElsewhere_Is401AsSoonAsTheChangeCommits()
    {
        var cache = App.Services.GetRequiredService<ApiKeyCache>();
        await WaitUntilAsync(() => cache.IsLive, TimeSpan.FromSeconds(10));
        var (key, keyId) = await Store.CreateKeyAsync("rose", null, CancellationToken.None);
        await CallUntilCachedAsync(key, () => cache.TryGet(ApiKeys.Hash(key)) is not null); // the next call would not ask the database

        // As another console instance (or psql) would: straight in the control database, not through this host's store.
        await using (var conn = new NpgsqlConnection(App.ControlConnection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE rose.api_keys SET revoked_at = now() WHERE id = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = keyId });
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        // The notification empties the cache well before an entry's lifetime would have.
        var dropped = await WaitUntilAsync(() => cache.TryGet(ApiKeys.Hash(key)) is null, ApiKeyCache.Lifetime);
        Assert.True(dropped < TimeSpan.FromSeconds(2), $"cache dropped after {dropped}");
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(key));
    }

    [Fact]
    public async Task CachedKey_AgentPolicyChanged_NextCallUsesTheNewPolicy()
    {
        var cache = App.Services.GetRequiredService<ApiKeyCache>();
        await WaitUntilAsync(() => cache.IsLive, TimeSpan.FromSeconds(10));
        Assert.True(await Store.CreateAsync("policy-bot", "Policy bot", new Rose.Core.Policy.SqlPolicy { AllowedDatabases = ["demo"], AllowedOperations = ["SELECT"], Environment = "dev" }, CancellationToken.None));
        var (key, _) = await Store.CreateKeyAsync("policy-bot", null, CancellationToken.None);
        await CallUntilCachedAsync(key, () => cache.TryGet(ApiKeys.Hash(key)) is not null);

        Assert.True(await Store.UpdatePolicyAsync("policy-bot", Rose.Core.Policy.SqlPolicy.DenyAll, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(key));
    }

    [Fact]
    public async Task CachedAgent_PolicyChangedElsewhere_NextCallUsesTheNewPolicy()
    {
        var cache = App.Services.GetRequiredService<ApiKeyCache>();
        await WaitUntilAsync(() => cache.IsLive, TimeSpan.FromSeconds(10));
        Assert.True(await Store.CreateAsync("policy-bot-2", "Policy bot 2", new Rose.Core.Policy.SqlPolicy { AllowedDatabases = ["demo"], AllowedOperations = ["SELECT"], Environment = "dev" }, CancellationToken.None));
        var (key, _) = await Store.CreateKeyAsync("policy-bot-2", null, CancellationToken.None);
        await CallUntilCachedAsync(key, () => cache.TryGetAgent("policy-bot-2") is not null); // the next call would take the policy from memory

        // As another console instance (or psql) would: straight in the control database.
        await using (var conn = new NpgsqlConnection(App.ControlConnection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE rose.agents SET policy = $1::jsonb WHERE id = 'policy-bot-2'", conn);
            cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = System.Text.Json.JsonSerializer.Serialize(Rose.Core.Policy.SqlPolicy.DenyAll) });
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        var dropped = await WaitUntilAsync(() => cache.TryGetAgent("policy-bot-2") is null, ApiKeyCache.Lifetime);
        Assert.True(dropped < TimeSpan.FromSeconds(2), $"cache dropped after {dropped}");
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(key));
    }

    [Fact]
    public async Task KeyUse_IsWrittenInOneBatch()
    {
        var (first, firstId) = await Store.CreateKeyAsync("rose", null, CancellationToken.None);
        var (second, secondId) = await Store.CreateKeyAsync("rose", null, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(first));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(second));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(first));

        await App.Services.GetRequiredService<ApiKeyUsage>().FlushAsync(CancellationToken.None);

        var keys = await Store.ListKeysAsync("rose", CancellationToken.None);
        Assert.NotNull(keys.Single(k => k.Id == firstId).LastUsedAt);
        Assert.NotNull(keys.Single(k => k.Id == secondId).LastUsedAt);
    }

    [Fact]
    public async Task RevokeKey_OfAnotherAgent_DoesNothing()
    {
        var (key, keyId) = await Store.CreateKeyAsync("rose", null, CancellationToken.None);

        Assert.False(await Store.RevokeKeyAsync("someone-else", keyId, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(key));
    }

    [Fact]
    public async Task ExpiredKey_Is401()
    {
        var expired = ApiKeys.Generate();
        await Store.AddKeyAsync("rose", expired, DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None);
        var (future, _) = await Store.CreateKeyAsync("rose", DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(expired));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(future));
    }

    [Fact]
    public async Task DisabledAgent_AllKeysAre401()
    {
        Assert.True(await Store.CreateAsync("batch-bot", "Batch bot", Rose.Core.Policy.SqlPolicy.DenyAll, CancellationToken.None));
        var (key, _) = await Store.CreateKeyAsync("batch-bot", null, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(key)); // known agent, deny-all policy

        await Store.SetDisabledAsync("batch-bot", true, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(key));
    }

    [Fact]
    public async Task ConfigAgent_PolicyCannotBeEditedFromTheConsole()
    {
        Assert.False(await Store.UpdatePolicyAsync("rose", Rose.Core.Policy.SqlPolicy.DenyAll, CancellationToken.None));
        Assert.False(await Store.CreateAsync("rose", "Impostor", Rose.Core.Policy.SqlPolicy.DenyAll, CancellationToken.None));
    }

    [Theory]
    [InlineData("alice", "alice", "Alice Operator", "human", "dev")]
    [InlineData(null, "rose", "Rose", "agent", "api-key")]
    public async Task Audit_RecordsTheSignedInIdentity(string? devUser, string id, string name, string kind, string provider)
    {
        using var client = devUser is null ? App.AgentClient() : await App.ClientAsync(devUser);
        var reason = "identity " + Guid.NewGuid().ToString("N");

        using var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1", reason });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT executor_id, executor_name, executor_kind, provider FROM rose.audit_log WHERE reason = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = reason });
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((id, name, kind, provider), (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
    }

    [Fact]
    public async Task AgentsPage_Admin_ListsConfigAgentWithReadOnlyNote()
    {
        using var carol = await App.ClientAsync("carol");

        var html = await carol.GetStringAsync("/agents?agent=rose");

        Assert.Contains("data-testid=\"agents-grid\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"config-note\"", html, StringComparison.Ordinal);
        Assert.Contains("Rose:Agents:rose", html, StringComparison.Ordinal);
        Assert.DoesNotContain(RoseAppFactory.AgentKey, html, StringComparison.Ordinal);
    }

    /// <summary>
    /// Calls with the key (each call must succeed) until the cache holds what a call verified. A change an earlier
    /// test made to agents or keys notifies every instance, and under load that notification can land during this
    /// call: the cache then rightly keeps nothing verified before the change, and the next call caches it.
    /// </summary>
    private async Task CallUntilCachedAsync(string key, Func<bool> cached)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            Assert.Equal(HttpStatusCode.OK, await CallAsync(key));
            if (cached())
            {
                return;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "no call's verification stayed in the cache within 10 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls a condition; returns how long it took to hold (fails the test when it never does).</summary>
    private static async Task<TimeSpan> WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < limit, $"condition not met within {limit}");
            await Task.Delay(5);
        }

        return watch.Elapsed;
    }

    private async Task<string> TableTextAsync(string table)
    {
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
