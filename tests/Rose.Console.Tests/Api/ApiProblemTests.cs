using System.Text;
using Microsoft.AspNetCore.TestHost;

namespace Rose.Console.Tests.Api;

/// <summary>Every 4xx/5xx of /api is an RFC 9457 problem document, through the real host, policy and executor.</summary>
[Collection("postgres")]
public sealed class ApiProblemTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    [Fact]
    public async Task EndpointBadRequest_IsProblemKeepingErrorMember()
    {
        using var client = App.AgentClient();

        using var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1", reason = "t", max_rows = 0 });

        var problem = await AssertProblemAsync(response, 400, "bad_request");
        Assert.Equal("max_rows must be a positive number.", problem.GetProperty("detail").GetString());
        Assert.Equal("max_rows must be a positive number.", problem.GetProperty("error").GetString());
    }

    [Fact]
    public async Task DeniedSql_IsProblemWithReasonsAndAuditId()
    {
        using var client = App.AgentClient();

        using var response = await client.PostAsJsonAsync("/api/v1/sql/execute",
            new { database = "demo", sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", reason = "t" });

        var problem = await AssertProblemAsync(response, 403, "denied");
        Assert.Contains(problem.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("CREATE FUNCTION", StringComparison.Ordinal));
        Assert.Contains("CREATE FUNCTION", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("audit_id").GetInt64() > 0);
    }

    [Fact]
    public async Task FailedSql_IsProblemWithSqlState()
    {
        using var client = App.AgentClient();

        using var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1/0", reason = "t" });

        var problem = await AssertProblemAsync(response, 422, "failed");
        Assert.Equal("22012", problem.GetProperty("sqlstate").GetString());
        Assert.Equal("22012", problem.GetProperty("error").GetProperty("sqlstate").GetString());
        Assert.Contains("division by zero", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("audit_id").GetInt64() > 0);
    }

    [Theory]
    [InlineData("{\"database\":\"demo\",\"sql\":\"SELECT 1\",\"reason\":\"t\",\"max_rows\":\"ten\"}", "Field 'max_rows' has the wrong type")]
    [InlineData("{\"database\":\"demo\",\"sql\":\"SELECT \\ud800\",\"reason\":\"t\"}", "Field 'sql' holds text that is not valid Unicode")]
    [InlineData("{\"database\":\"demo\",\"sql\":SELECT}", "Field 'sql' is not valid JSON")]
    [InlineData("{\"database\":\"demo\",", "is not valid JSON")]
    public async Task BadJsonBody_Is400ProblemNamingTheField(string body, string expected)
    {
        using var client = App.AgentClient();

        using var response = await client.PostAsync("/api/v1/sql/execute", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await AssertProblemAsync(response, 400, "bad_request");
        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadJsonBody_InProduction_IsTheSameProblem()
    {
        await using var production = await RoseAppFactory.CreateAsync(Pg, environment: "Production");
        using var client = production.AgentClient();

        using var response = await client.PostAsync("/api/v1/sql/execute",
            new StringContent("{\"sql\": 5}", Encoding.UTF8, "application/json"));

        var problem = await AssertProblemAsync(response, 400, "bad_request");
        Assert.Contains("Field 'sql' has the wrong type", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongContentType_Is415Problem()
    {
        using var client = App.AgentClient();

        using var response = await client.PostAsync("/api/v1/sql/execute", new StringContent("SELECT 1", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, 415, "unsupported_media_type");
    }

    [Theory]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/api/nothing/here")]
    public async Task UnknownApiRoute_Is404Problem(string path)
    {
        using var client = App.AgentClient();

        using var response = await client.GetAsync(path);

        await AssertProblemAsync(response, 404, "not_found");
    }

    [Fact]
    public async Task WrongMethod_Is405Problem()
    {
        using var client = App.AgentClient();

        using var response = await client.GetAsync("/api/v1/sql/execute");

        await AssertProblemAsync(response, 405, "method_not_allowed");
    }

    [Fact]
    public async Task Anonymous_Is401Problem_BadKeyToo()
    {
        using var anonymous = await App.ClientAsync();
        using var badKey = App.AgentClient("rose_not_a_real_key_000000000000000");

        using var noSession = await anonymous.GetAsync("/api/v1/sql/logs");
        using var wrongKey = await badKey.GetAsync("/api/v1/sql/logs");

        await AssertProblemAsync(noSession, 401, "unauthorized");
        var problem = await AssertProblemAsync(wrongKey, 401, "unauthorized");
        Assert.Contains("API key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorPath_IsMappedToA500ProblemWithoutInternals()
    {
        using var client = await App.ClientAsync();

        using var response = await client.GetAsync("/error");

        var problem = await AssertProblemAsync(response, 500, "internal_error");
        Assert.DoesNotContain("exception", problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UnhandledException_Is500ProblemWithoutInternals()
    {
        // A body converter that fails the way a bug would: not a JSON error, so nothing maps it to 400.
        await using var failing = App.WithWebHostBuilder(b => b.ConfigureServices(services =>
            services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => o.SerializerOptions.Converters.Insert(0, new ThrowingRequestConverter()))));
        using var client = failing.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RoseAppFactory.AgentKey);

        using var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1", reason = "t" });

        var problem = await AssertProblemAsync(response, 500, "internal_error");
        Assert.DoesNotContain(ThrowingRequestConverter.Secret, problem.GetRawText(), StringComparison.Ordinal);
    }

    private sealed class ThrowingRequestConverter : System.Text.Json.Serialization.JsonConverter<Rose.Console.Api.ExecuteSqlRequest>
    {
        public const string Secret = "internal detail /srv/rose/secret.cs";

        public override Rose.Console.Api.ExecuteSqlRequest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException(Secret);

        public override void Write(Utf8JsonWriter writer, Rose.Console.Api.ExecuteSqlRequest value, JsonSerializerOptions options) =>
            throw new NotSupportedException(Secret);
    }

    /// <summary>Checks the RFC 9457 members and Rose's code; never a stack trace.</summary>
    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("urn:rose:problem:" + code, problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        return problem;
    }
}
