using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Agents;

/// <summary>
/// In real Chromium: an admin narrows a console agent's MCP tools on /agents; the list is stored,
/// audited under the admin, and shown again after a reload.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class AgentMcpToolsTests(RoseConsoleFixture fixture)
{
    [Fact]
    public async Task Admin_NarrowsAnAgentsMcpTools_SavedAuditedAndShown()
    {
        var id = "tools-" + Guid.NewGuid().ToString("N")[..8];
        var page = await fixture.SignInAsync("carol", "/agents");
        await page.Locator(".rose-agents[data-interactive=true]").WaitForAsync();
        await page.GetByTestId("new-agent").ClickAsync();
        await page.FillAsync("input[name=agent-id]", id);
        await page.FillAsync("textarea[name=agent-policy]", "{\"allowed_databases\": [\"demo\"], \"allowed_operations\": [\"SELECT\"], \"environment\": \"dev\"}");
        await page.GetByTestId("create-agent-submit").ClickAsync();
        await page.WaitForURLAsync($"**/agents?agent={id}");
        await page.Locator(".rose-agents[data-interactive=true]").WaitForAsync();

        var tools = page.GetByTestId("mcp-tools");
        var sqlExecute = tools.GetByRole(AriaRole.Checkbox, new() { Name = "sql_execute", Exact = true });
        await Assertions.Expect(sqlExecute).ToBeCheckedAsync();
        await Assertions.Expect(sqlExecute).ToBeDisabledAsync();

        await tools.GetByRole(AriaRole.Checkbox, new() { Name = "Every tool, including tools a later version adds" }).ClickAsync();
        await Assertions.Expect(sqlExecute).ToBeEnabledAsync();
        await sqlExecute.ClickAsync();
        await tools.GetByRole(AriaRole.Checkbox, new() { Name = "sql_migrate", Exact = true }).ClickAsync();
        await page.GetByTestId("save-mcp-tools").ClickAsync();
        await Assertions.Expect(page.GetByText($"MCP tools of {id} saved")).ToBeVisibleAsync();

        await using var conn = new NpgsqlConnection(fixture.ControlConnection);
        await conn.OpenAsync();
        await using (var stored = new NpgsqlCommand("SELECT mcp_tools FROM rose.agents WHERE id = $1", conn))
        {
            stored.Parameters.AddWithValue(id);
            var list = (string[])(await stored.ExecuteScalarAsync())!;
            Assert.DoesNotContain("sql_execute", list);
            Assert.DoesNotContain("sql_migrate", list);
            Assert.Contains("sql_logs", list);
        }

        await using (var audited = new NpgsqlCommand("""
            SELECT a.executor_id, a.channel, o.status, a.sql_text FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.operations[1] = 'ADMIN AGENT MCP TOOLS UPDATE' AND strpos(a.sql_text, $1) > 0
            """, conn))
        {
            audited.Parameters.AddWithValue($"agent '{id}'");
            await using var row = await audited.ExecuteReaderAsync();
            Assert.True(await row.ReadAsync(), "the change is not in the audit log");
            Assert.Equal(("carol", "admin", "succeeded"), (row.GetString(0), row.GetString(1), row.GetString(2)));
            Assert.DoesNotContain("sql_execute", row.GetString(3).Split("-- tools:")[1], StringComparison.Ordinal);
        }

        await page.ReloadAsync();
        await page.Locator(".rose-agents[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("mcp-tools").GetByRole(AriaRole.Checkbox, new() { Name = "sql_execute", Exact = true })).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("mcp-tools").GetByRole(AriaRole.Checkbox, new() { Name = "sql_logs", Exact = true })).ToBeCheckedAsync();
        await RoseConsoleFixture.ScreenshotAsync(page, "agents-mcp-tools");
        await page.Context.CloseAsync();
    }
}
