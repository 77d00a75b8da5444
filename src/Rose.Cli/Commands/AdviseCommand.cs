namespace Rose.Cli.Commands;

/// <summary>
/// `rose advise queries|indexes|health|explain [DATABASE | --database NAME] --url URL --api-key KEY [--json]`:
/// the performance advisor through the console's API. `health` exits non-zero when a check is critical
/// or could not run, so a cron job can alert on it; `explain` exits as `policy check` does when the
/// policy parks (2) or denies (3) the measured statement.
/// </summary>
public static class AdviseCommand
{
    public static Command Create(CliIo io, Func<HttpMessageHandler?>? handler = null)
    {
        var command = new Command("advise", "Slow queries, index recommendations proven with hypopg, and health checks of a database.");

        var top = new Option<int>("--top") { Description = "How many statements (default 20 for queries, 10 for the workload).", DefaultValueFactory = _ => 0 };
        var queries = Sub("queries", "Top statements by total execution time (pg_stat_statements).", top);
        queries.Command.SetAction(parse => queries.Run(parse, io, handler, api =>
            api.GetAsync($"/api/v1/advisor/{Uri.EscapeDataString(queries.Database(parse))}/queries"
                + RoseApiClient.Query(("top", parse.GetValue(top) is > 0 and var n ? n : null)), CancellationToken.None), PrintQueries));

        var query = new Option<string[]>("--query") { Description = "A statement to analyse (repeatable).", AllowMultipleArgumentsPerToken = false };
        var workload = new Option<bool>("--workload") { Description = "Analyse the top statements of pg_stat_statements instead." };
        var workloadTop = new Option<int>("--top") { Description = "How many workload statements (default 10).", DefaultValueFactory = _ => 0 };
        var indexes = Sub("indexes", "Index recommendations for statements or the top workload.", query, workload, workloadTop);
        indexes.Command.SetAction(parse =>
        {
            var given = parse.GetValue(query) ?? [];
            var isWorkload = parse.GetValue(workload);
            if (isWorkload == (given.Length > 0))
            {
                throw new CliException("give either --query SQL (one or more) or --workload", ExitCodes.Usage);
            }

            object body = isWorkload
                ? new { workload = true, top = parse.GetValue(workloadTop) is > 0 and var n ? n : 10 }
                : new { queries = given };
            return indexes.Run(parse, io, handler, api =>
                api.PostAsync($"/api/v1/advisor/{Uri.EscapeDataString(indexes.Database(parse))}/indexes", body, CancellationToken.None), PrintIndexes);
        });

        var health = Sub("health", "Health checks: indexes, bloat, wraparound, sequences, cache, connections, sessions, locks, replication.");
        health.Command.SetAction(parse => health.Run(parse, io, handler, api =>
            api.GetAsync($"/api/v1/advisor/{Uri.EscapeDataString(health.Database(parse))}/health", CancellationToken.None), PrintHealth));

        var sql = new Option<string>("--sql") { Description = "The statement to measure, without EXPLAIN.", Required = true };
        var planOnly = new Option<bool>("--plan-only") { Description = "Ask the planner only (EXPLAIN without ANALYZE): nothing runs." };
        var reason = new Option<string?>("--reason") { Description = "Why, for the audit log and approvers." };
        var explain = Sub("explain", "EXPLAIN (ANALYZE, BUFFERS) of one statement through the pipeline: the statement runs, so the policy decides as for the statement.",
            sql, planOnly, reason);
        explain.Command.SetAction(parse => explain.Run(parse, io, handler, api =>
            api.PostAsync($"/api/v1/advisor/{Uri.EscapeDataString(explain.Database(parse))}/explain",
                new { query = parse.GetValue(sql), analyze = !parse.GetValue(planOnly), reason = parse.GetValue(reason) }, CancellationToken.None),
            PrintPlan));

        command.Subcommands.Add(queries.Command);
        command.Subcommands.Add(indexes.Command);
        command.Subcommands.Add(health.Command);
        command.Subcommands.Add(explain.Command);
        return command;
    }

    private static Subcommand Sub(string name, string description, params Option[] extra)
    {
        var sub = new Subcommand(new Command(name, description));
        foreach (var option in extra)
        {
            sub.Command.Options.Add(option);
        }

        return sub;
    }

    /// <summary>The options every advise subcommand shares, and how it calls the API.</summary>
    private sealed class Subcommand
    {
        // The database as the first argument (`rose advise explain demo --sql ...`) or as --database, as before.
        private readonly Argument<string?> positional = new("database") { Description = "Target database name.", Arity = ArgumentArity.ZeroOrOne };
        private readonly Option<string> database = new("--database") { Description = "Target database name (or give it as the first argument)." };
        private readonly ServerOptions server = new();
        private readonly Option<bool> json = new("--json") { Description = "Print the API's JSON answer instead of a summary." };

        public Subcommand(Command command)
        {
            Command = command;
            command.Arguments.Add(positional);
            command.Options.Add(database);
            server.AddTo(command);
            command.Options.Add(json);
        }

        public Command Command { get; }

        public string Database(ParseResult parse) =>
            (parse.GetValue(positional), parse.GetValue(database)) switch
            {
                ({ Length: > 0 } a, { Length: > 0 } b) when a != b => throw new CliException($"two databases given: '{a}' and --database '{b}'", ExitCodes.Usage),
                ({ Length: > 0 } a, _) => a,
                (_, { Length: > 0 } b) => b,
                _ => throw new CliException("give the target database: rose advise " + Command.Name + " DATABASE (or --database DATABASE)", ExitCodes.Usage),
            };

        public int Run(ParseResult parse, CliIo io, Func<HttpMessageHandler?>? handler, Func<RoseApiClient, Task<ApiAnswer>> call,
            Func<JsonElement, CliIo, int> print)
        {
            using var api = server.Connect(parse, "cli", handler?.Invoke());
            var answer = call(api).GetAwaiter().GetResult();
            return Report(answer, parse.GetValue(json), io, print);
        }
    }

    public static int Report(ApiAnswer answer, bool json, CliIo io, Func<JsonElement, CliIo, int> print)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(print);
        if (answer.Status == 403 && Status(answer.Body) == "denied")
        {
            // The policy's decision on a measured statement, not a failure of the advisor: as `policy check` exits.
            io.Stderr.WriteLine($"rose: denied by policy: {answer.Body}");
            if (json)
            {
                io.Stdout.WriteLine(answer.Body);
            }

            return ExitCodes.Deny;
        }

        if (!answer.IsSuccess)
        {
            io.Stderr.WriteLine($"rose: the advisor refused or failed (HTTP {answer.Status}): {answer.Body}");
            return answer.Status == 0 ? ExitCodes.Unavailable : ExitCodes.ValidationError;
        }

        using var doc = JsonDocument.Parse(answer.Body);
        if (json)
        {
            io.Stdout.WriteLine(answer.Body);
            return print(doc.RootElement, new CliIo(new StringReader(""), TextWriter.Null, TextWriter.Null));
        }

        return print(doc.RootElement, io);
    }

    public static int PrintQueries(JsonElement root, CliIo io)
    {
        if (root.GetProperty("unavailable").GetString() is { } unavailable)
        {
            io.Stdout.WriteLine(unavailable);
            return ExitCodes.Ok;
        }

        foreach (var q in root.GetProperty("queries").EnumerateArray())
        {
            io.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{q.GetProperty("total_ms").GetDouble(),12:F1} ms total {q.GetProperty("calls").GetInt64(),10} calls {q.GetProperty("mean_ms").GetDouble(),10:F2} ms mean  {OneLine(q.GetProperty("query").GetString())}"));
        }

        return ExitCodes.Ok;
    }

    public static int PrintIndexes(JsonElement root, CliIo io)
    {
        foreach (var note in root.GetProperty("notes").EnumerateArray())
        {
            io.Stdout.WriteLine("note: " + note.GetString());
        }

        foreach (var r in root.GetProperty("recommendations").EnumerateArray())
        {
            var speedup = r.GetProperty("estimated_speedup") is { ValueKind: JsonValueKind.Number } s
                ? s.GetDouble().ToString("0.#", CultureInfo.InvariantCulture) + "x" : "unproven";
            io.Stdout.WriteLine($"{speedup,9}  {r.GetProperty("create_index_sql").GetString()};");
        }

        return ExitCodes.Ok;
    }

    public static int PrintHealth(JsonElement root, CliIo io)
    {
        var exit = ExitCodes.Ok;
        foreach (var c in root.GetProperty("checks").EnumerateArray())
        {
            var status = c.GetProperty("status").GetString();
            io.Stdout.WriteLine($"{status,-8} {c.GetProperty("name").GetString()}: {c.GetProperty("detail").GetString()}");
            if (c.GetProperty("remediation_sql").GetString() is { } fix && status != "ok")
            {
                io.Stdout.WriteLine("         fix: " + OneLine(fix));
            }

            if (status is "critical" or "error")
            {
                exit = ExitCodes.ValidationFailed;
            }
        }

        return exit;
    }

    /// <summary>
    /// A measured (or planned) statement: its timings, then the plan tree, one node a line, indented by
    /// depth, with its share of the time, estimated and actual rows and a misestimate mark. Parked for
    /// approval: the approval id and exit 2.
    /// </summary>
    public static int PrintPlan(JsonElement root, CliIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        if (root.GetProperty("status").GetString() == "pending_approval")
        {
            io.Stdout.WriteLine($"pending approval #{root.GetProperty("approval_id")}: the statement runs, and is measured, once approved");
            return ExitCodes.Approval;
        }

        var analyzed = root.GetProperty("analyzed").GetBoolean();
        io.Stdout.WriteLine(analyzed
            ? string.Create(CultureInfo.InvariantCulture,
                $"execution {Number(root, "execution_ms")} ms, planning {Number(root, "planning_ms")} ms, {root.GetProperty("misestimates").GetInt32()} row misestimate(s)")
            : "planned only (not run): costs are the planner's estimates");
        foreach (var n in root.GetProperty("nodes").EnumerateArray())
        {
            var line = new System.Text.StringBuilder();
            line.Append(' ', 2 * n.GetProperty("depth").GetInt32()).Append(n.GetProperty("node").GetString());
            if (n.GetProperty("relation").GetString() is { } relation)
            {
                line.Append(" on ").Append(relation);
            }

            if (n.GetProperty("index").GetString() is { } index)
            {
                line.Append(" using ").Append(index);
            }

            line.Append(CultureInfo.InvariantCulture, $"  rows {n.GetProperty("plan_rows")} est");
            if (analyzed)
            {
                line.Append(CultureInfo.InvariantCulture, $" / {n.GetProperty("actual_rows")} actual");
                if (n.GetProperty("share") is { ValueKind: JsonValueKind.Number } share)
                {
                    line.Append(CultureInfo.InvariantCulture, $"  {share.GetDouble() * 100,5:F1}% of the time");
                }

                if (n.GetProperty("misestimate") is { ValueKind: JsonValueKind.Number } off)
                {
                    var factor = off.GetDouble();
                    if (factor >= 1)
                    {
                        line.Append(CultureInfo.InvariantCulture, $"  rows {factor:0.#}x under-estimated");
                    }
                    else
                    {
                        line.Append(CultureInfo.InvariantCulture, $"  rows {1 / factor:0.#}x over-estimated");
                    }
                }
            }
            else
            {
                line.Append(CultureInfo.InvariantCulture, $"  cost {n.GetProperty("total_cost")}");
            }

            io.Stdout.WriteLine(line.ToString());
        }

        return ExitCodes.Ok;
    }

    private static string Number(JsonElement root, string name) =>
        root.GetProperty(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDouble().ToString("0.###", CultureInfo.InvariantCulture) : "?";

    private static string? Status(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            // Error answers are problem documents: "status" is the HTTP status there and "code" the outcome.
            foreach (var name in new[] { "code", "status" })
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string OneLine(string? text) => string.Join(' ', (text ?? "").Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
