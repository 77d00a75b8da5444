using System.Text;

namespace Rose.Console.Tests.Devlogs;

/// <summary>The devlog API and page through the real host.</summary>
[Collection("postgres")]
public sealed class DevlogApiTests(PostgresServerFixture pg) : HostTest(pg)
{
    private static object Valid(string title = "Backfilled orders", string service = "orders", string type = "change", string content = "Did **it**.",
        string[]? tags = null, object? metadata = null) => new
        {
            service_id = service,
            log_type = type,
            title,
            content,
            tags = tags ?? ["backfill"],
            metadata = metadata ?? new { intent = "fix totals", sql = "UPDATE orders SET total = 1", validation = new { pre_count = 10, post_count = 10, verified = true } },
        };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string json)
    {
        var response = await client.PostAsync("/api/v1/devlogs", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { "not json", "not the expected JSON" },
        { "{\"log_type\":\"note\",\"title\":\"t\"}", "service_id is required" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\"}", "title is required" },
        { "{\"service_id\":\"s\",\"log_type\":\"no spaces\",\"title\":\"t\"}", "log_type may contain only" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"tags\":[\"has space\"]}", "without spaces" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"tags\":[" + string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"t{i}\"")) + "]}", "limit is 20" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"metadata\":[1,2]}", "metadata must be a JSON object" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"metadata\":{\"validation\":{\"pre_count\":\"ten\"}}}", "pre_count must be a whole number" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"metadata\":{\"validation\":{\"verified\":\"yes\"}}}", "verified must be true or false" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"metadata\":{\"intent\":5}}", "metadata.intent must be a string" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"content\":\"" + new string('x', 100_001) + "\"}", "content is 100001 characters" },
        { "{\"service_id\":\"s\",\"log_type\":\"note\",\"title\":\"t\",\"audit_id\":987654}", "audit_id 987654 is not an audit entry" },
    };

    [Fact]
    public async Task Post_InvalidBody_Is400NamingTheProblem()
    {
        using var agent = App.AgentClient();
        foreach (var row in BadBodies)
        {
            var (json, expected) = ((string)row[0], (string)row[1]);

            var (status, body) = await PostAsync(agent, json);

            Assert.True(status == HttpStatusCode.BadRequest, $"{json[..Math.Min(80, json.Length)]}: {status}");
            Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        var list = await agent.GetFromJsonAsync<JsonElement>("/api/v1/devlogs");
        Assert.Empty(list.GetProperty("devlogs").EnumerateArray());
    }

    [Fact]
    public async Task Post_Viewer_IsForbidden()
    {
        using var dave = await App.ClientAsync("dave");

        var response = await dave.PostAsJsonAsync("/api/v1/devlogs", Valid());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task List_Filters_ReturnExactlyTheMatchingDevlogs()
    {
        using var agent = App.AgentClient();
        var ids = new Dictionary<string, long>();
        foreach (var (key, service, type, tags) in new[]
        {
            ("a", "orders", "change", new[] { "backfill", "prod" }),
            ("b", "orders", "incident", new[] { "prod" }),
            ("c", "billing", "change", new[] { "backfill" }),
        })
        {
            var response = await agent.PostAsJsonAsync("/api/v1/devlogs", Valid(title: key, service: service, type: type, tags: tags));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids[key] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        foreach (var (query, expected) in new[]
        {
            ("", new[] { "c", "b", "a" }),
            ("?service_id=orders", new[] { "b", "a" }),
            ("?log_type=change", new[] { "c", "a" }),
            ("?tag=prod", new[] { "b", "a" }),
            ("?tag=prod&tag=backfill", new[] { "a" }),
            ("?service_id=orders&log_type=change", new[] { "a" }),
            ("?service_id=none", Array.Empty<string>()),
            ($"?before={ids["c"]}", new[] { "b", "a" }),
        })
        {
            var list = await agent.GetFromJsonAsync<JsonElement>("/api/v1/devlogs" + query);
            Assert.Equal(expected.Select(k => ids[k]), list.GetProperty("devlogs").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        }

        var first = await agent.GetFromJsonAsync<JsonElement>("/api/v1/devlogs?limit=2");
        Assert.Equal(ids["b"], first.GetProperty("next_before").GetInt64());
        var one = first.GetProperty("devlogs")[0];
        Assert.Equal("rose", one.GetProperty("author").GetProperty("id").GetString());
        Assert.True(one.GetProperty("metadata").GetProperty("validation").GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Search_TitleOutranksContentOutranksTags_AndUnrelatedIsLeftOut()
    {
        using var agent = App.AgentClient();
        async Task<long> Create(string title, string content, string[] tags)
        {
            var response = await agent.PostAsJsonAsync("/api/v1/devlogs", Valid(title: title, content: content, tags: tags));
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        var inTags = await Create("Routine work", "Nothing special.", ["vacuuming"]);
        var inTitle = await Create("Vacuum of the orders table", "Ran it at night.", ["ops"]);
        var inContent = await Create("Night shift", "We had to vacuum the orders table.", ["ops"]);
        await Create("Unrelated", "Reindexed users.", ["ops"]);

        var found = await agent.GetFromJsonAsync<JsonElement>("/api/v1/devlogs/search?q=vacuum");

        Assert.Equal([inTitle, inContent, inTags], found.GetProperty("devlogs").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        var missing = await agent.GetAsync("/api/v1/devlogs/search");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task DevlogsPage_HostileContentTagsTitleAndMetadata_AreShownInert()
    {
        using var agent = App.AgentClient();
        var content = "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1)) [obf](java\tscript:alert(1)) [ok](https://example.com)\n\n"
            + "<a href=\"javascript:alert(1)\">raw</a>\n\n![img](javascript:alert(1))";
        var response = await agent.PostAsJsonAsync("/api/v1/devlogs", Valid(title: "<script>alert(1)</script>", content: content,
            tags: ["<script>alert(1)</script>", "javascript:alert(1)"], metadata: new { intent = "<img src=x onerror=alert(1)>", sql = "<script>alert(1)</script>" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var dave = await App.ClientAsync("dave");

        foreach (var url in new[] { "/devlogs", $"/devlogs?id={id}", "/devlogs?q=alert", "/devlogs?tag=javascript:alert(1)" })
        {
            var html = await dave.GetStringAsync(url);
            Assert.Contains("data-testid=\"devlog-list\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert(1)</script>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
            Assert.Contains("href=\"https://example.com\"", html, StringComparison.Ordinal);
        }
    }
}
