using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rose.Core.Agents;
using Rose.Tests.Shared;

namespace Rose.Console.Tests;

/// <summary>API keys: only hashes are stored; revoked, expired and disabled keys get 401; the audit log names the caller.</summary>
[Collection("postgres")]
public sealed class AgentKeyTests(AgentKeyTests.SharedApp shared) : IClassFixture<AgentKeyTests.SharedApp>
{
    private static readonly object Select1 = new { database = "demo", sql = "SELECT 1", reason = "key test" };

    private RoseAppFactory app => shared.App;

    /// <summary>One host for the class: every test uses its own keys and agents, and each host holds database connections.</summary>
    public sealed class SharedApp : IAsyncLifetime
    {
        private readonly PostgresServerFixture pg = new();

        public RoseAppFactory App { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await pg.InitializeAsync();
            App = await RoseAppFactory.CreateAsync(pg);
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await pg.DisposeAsync();
        }
    }

    private AgentStore Store => app.Services.GetRequiredService<AgentStore>();

    private async Task<HttpStatusCode> CallAsync(string key)
    {
        using var client = app.AgentClient(key);
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
        using var client = devUser is null ? app.AgentClient() : await app.ClientAsync(devUser);
        var reason = "identity " + Guid.NewGuid().ToString("N");

        using var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1", reason });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var conn = new NpgsqlConnection(app.ControlConnection);
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
        using var carol = await app.ClientAsync("carol");

        var html = await carol.GetStringAsync("/agents?agent=rose");

        Assert.Contains("data-testid=\"agents-grid\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"config-note\"", html, StringComparison.Ordinal);
        Assert.Contains("Rose:Agents:rose", html, StringComparison.Ordinal);
        Assert.DoesNotContain(RoseAppFactory.AgentKey, html, StringComparison.Ordinal);
    }

    private async Task<string> TableTextAsync(string table)
    {
        await using var conn = new NpgsqlConnection(app.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {table} t", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
