namespace Rose.Cli.Commands;

/// <summary>
/// `rose migrate status|plan|apply|verify|undo|check|drift --database NAME --dir DIR --url URL --api-key KEY`:
/// reads the migration folder locally and asks the console's HTTP API, so every rule (policy,
/// approval, audit, lock) is applied by the server exactly as for the page.
/// </summary>
public static class MigrateCommand
{
    public static Command Create(CliIo io)
    {
        var command = new Command("migrate", "Show, plan, apply, verify, undo, check the reversibility of, or find drift from the migrations of a target through Rose Console.");
        foreach (var action in new[] { "status", "plan", "apply", "verify", "undo", "check", "drift" })
        {
            command.Subcommands.Add(Sub(io, action));
        }

        return command;
    }

    private static Command Sub(CliIo io, string action)
    {
        var database = new Option<string>("--database") { Description = "Target database name as configured in Rose.", Required = true };
        var dir = new Option<string?>("--dir") { Description = "Folder of V/U/R migration files; omitted = the target's configured MigrationsPath (server side)." };
        var server = new ServerOptions("The agent's API key (or set ROSE_API_KEY).");
        var json = new Option<bool>("--json") { Description = "Print the API's JSON answer instead of a table." };
        var reason = new Option<string?>("--reason") { Description = "Why: recorded in the audit log and the devlog." };
        var dryRun = new Option<bool>("--dry-run") { Description = "apply: run inside a transaction that is rolled back." };
        var single = new Option<bool>("--single-transaction") { Description = "apply: all pending migrations in one transaction." };
        var to = new Option<string?>("--to") { Description = "undo: the version to end at (0 = undo everything)." };
        var fromEmpty = new Option<bool>("--from-empty") { Description = "check: every versioned migration from an empty database, not only the pending ones on a copy of the target's schema." };
        var command = new Command(action, $"Migration {action}.") { database, dir };
        server.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(reason);
        if (action == "apply")
        {
            command.Options.Add(dryRun);
            command.Options.Add(single);
        }

        if (action == "undo")
        {
            command.Options.Add(to);
        }

        if (action == "check")
        {
            command.Options.Add(fromEmpty);
        }

        command.SetAction(parse =>
        {
            var (baseUrl, key) = server.Read(parse);
            if (action == "undo" && string.IsNullOrWhiteSpace(parse.GetValue(to)))
            {
                throw new CliException("undo needs --to VERSION", ExitCodes.Usage);
            }

            var options = new MigrateOptions(action, parse.GetValue(database)!, ReadFolder(parse.GetValue(dir)), parse.GetValue(reason),
                parse.GetValue(dryRun), parse.GetValue(single), parse.GetValue(to), parse.GetValue(json), parse.GetValue(fromEmpty));
            using var api = new RoseApiClient(baseUrl, key, "cli");
            return RunAsync(api, options, io, CancellationToken.None).GetAwaiter().GetResult();
        });
        return command;
    }

    private static List<object>? ReadFolder(string? dir)
    {
        if (dir is null)
        {
            return null;
        }

        if (!Directory.Exists(dir))
        {
            throw new CliException($"the folder '{dir}' does not exist", ExitCodes.NoInput);
        }

        return [.. Directory.GetFiles(dir, "*.sql").Order(StringComparer.Ordinal)
            .Select(p => (object)new { name = Path.GetFileName(p), sql = File.ReadAllText(p) })];
    }

    internal static async Task<int> RunAsync(RoseApiClient api, MigrateOptions o, CliIo io, CancellationToken ct)
    {
        var db = Uri.EscapeDataString(o.Database);
        var answer = o.Action switch
        {
            "status" => await api.PostAsync($"api/v1/migrations/{db}/status", new { migrations = o.Files }, ct),
            "verify" => await api.PostAsync($"api/v1/migrations/{db}/verify", new { migrations = o.Files }, ct),
            "plan" => await api.PostAsync($"api/v1/migrations/{db}/plan", new { migrations = o.Files }, ct),
            "undo" => await api.PostAsync($"api/v1/migrations/{db}/undo", new { to_version = o.To, migrations = o.Files, reason = o.Reason }, ct),
            "check" => await api.PostAsync($"api/v1/migrations/{db}/check", new { migrations = o.Files, from_empty = o.FromEmpty, reason = o.Reason }, ct),
            "drift" => await api.PostAsync($"api/v1/migrations/{db}/drift", new { migrations = o.Files }, ct),
            _ => await api.PostAsync("api/v1/sql/migrate", new { database = o.Database, migrations = o.Files, reason = o.Reason, dry_run = o.DryRun, single_transaction = o.SingleTransaction }, ct),
        };

        if (answer.Status == 0)
        {
            io.Stderr.WriteLine($"rose: {ErrorOf(answer.Body)}");
            return ExitCodes.Unavailable;
        }

        if (o.Json)
        {
            io.Stdout.WriteLine(answer.Body);
        }

        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(answer.Body) ? "{}" : answer.Body);
        var root = doc.RootElement;
        // 403 with a body is a policy denial (printed below); without one, the key may not do this at all.
        if (answer.Status is 400 or 401 or 404 or >= 500 || (answer.Status == 403 && Outcome(root) is null))
        {
            io.Stderr.WriteLine($"rose: HTTP {answer.Status}: {ErrorOf(answer.Body)}");
            return answer.Status == 400 ? ExitCodes.Usage : ExitCodes.Unavailable;
        }

        if (!o.Json)
        {
            MigrateOutput.Print(o.Action, root, io.Stdout);
        }

        return o.Action switch
        {
            "status" => ExitCodes.Ok,
            "verify" => root.TryGetProperty("ok", out var ok) && ok.GetBoolean() ? ExitCodes.Ok : ExitCodes.MalformedInput,
            "check" => root.TryGetProperty("ok", out var reversible) && reversible.GetBoolean() ? ExitCodes.Ok : ExitCodes.NotReversible,
            "drift" => root.TryGetProperty("drift", out var drifted) && !drifted.GetBoolean() ? ExitCodes.Ok : ExitCodes.Drift,
            "plan" => Str(root, "decision") switch { "deny" => ExitCodes.Deny, "approval" => ExitCodes.Approval, _ => ExitCodes.Ok },
            _ => Outcome(root) switch
            {
                "succeeded" => ExitCodes.Ok,
                "pending_approval" => ExitCodes.Approval,
                "denied" => ExitCodes.Deny,
                _ => ExitCodes.MalformedInput,
            },
        };
    }

    /// <summary>Rose's outcome: "status" in a success answer, "code" in a problem document (RFC 9457 keeps "status" for the HTTP status).</summary>
    internal static string? Outcome(JsonElement e) => Str(e, "status") ?? Str(e, "code");

    internal static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string ErrorOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return Str(doc.RootElement, "error") ?? Str(doc.RootElement, "message") ?? body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200].ToString(CultureInfo.InvariantCulture) : body;
        }
    }
}
