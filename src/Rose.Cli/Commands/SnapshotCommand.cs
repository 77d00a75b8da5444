namespace Rose.Cli.Commands;

/// <summary>
/// `rose snapshot list|take|restore --database NAME --url URL --api-key KEY`: data snapshots of a target
/// (pg_dump with data and per-table checksums) and their restore into a new database, verified by
/// those checksums. Everything runs in the console (policy, audit, the client programs); this only asks.
/// </summary>
public static class SnapshotCommand
{
    public static Command Create(CliIo io)
    {
        var command = new Command("snapshot", "List, take or restore (into a new database, verified by per-table checksums) data snapshots of a target through Rose Console.");
        foreach (var action in new[] { "list", "take", "restore" })
        {
            command.Subcommands.Add(Sub(io, action));
        }

        return command;
    }

    private static Command Sub(CliIo io, string action)
    {
        var database = new Option<string>("--database") { Description = "Target database name as configured in Rose.", Required = true };
        var server = new ServerOptions("An API key (or set ROSE_API_KEY); restore needs an admin's.");
        var json = new Option<bool>("--json") { Description = "Print the API's JSON answer instead of text." };
        var reason = new Option<string?>("--reason") { Description = "Why: recorded in the audit log (take and restore need one)." };
        var name = new Option<string?>("--name") { Description = "restore: the snapshot's name, as `list` shows it." };
        var into = new Option<string?>("--new-database") { Description = "restore: the new database to create (default <database>_restore_<time>); never an existing one." };
        var inPlace = new Option<bool>("--in-place") { Description = "restore: put the LIVE database back to the snapshot; parked for an approver (exit 2), never run at once." };
        var tables = new Option<string[]>("--table") { Description = "take: a table to snapshot (table or schema.table; repeat it); none = the whole database.", AllowMultipleArgumentsPerToken = false };
        var command = new Command(action, $"Snapshot {action}.") { database };
        server.AddTo(command);
        command.Options.Add(json);
        if (action != "list")
        {
            command.Options.Add(reason);
        }

        if (action == "take")
        {
            command.Options.Add(tables);
        }

        if (action == "restore")
        {
            command.Options.Add(name);
            command.Options.Add(into);
            command.Options.Add(inPlace);
        }

        command.SetAction(parse =>
        {
            var (baseUrl, key) = server.Read(parse);
            if (action != "list" && string.IsNullOrWhiteSpace(parse.GetValue(reason)))
            {
                throw new CliException($"{action} needs --reason TEXT", ExitCodes.Usage);
            }

            if (action == "restore" && string.IsNullOrWhiteSpace(parse.GetValue(name)))
            {
                throw new CliException("restore needs --name SNAPSHOT (see `rose snapshot list`)", ExitCodes.Usage);
            }

            var place = action == "restore" && parse.GetValue(inPlace);
            if (place && !string.IsNullOrWhiteSpace(parse.GetValue(into)))
            {
                throw new CliException("--in-place restores over the live database; --new-database names a new one: give one of them", ExitCodes.Usage);
            }

            using var api = new RoseApiClient(baseUrl, key, "cli");
            return RunAsync(api, action, parse.GetValue(database)!, parse.GetValue(name), parse.GetValue(into), parse.GetValue(reason),
                parse.GetValue(json), io, CancellationToken.None, action == "take" ? parse.GetValue(tables) : null, place).GetAwaiter().GetResult();
        });
        return command;
    }

    internal static async Task<int> RunAsync(RoseApiClient api, string action, string database, string? name, string? into, string? reason, bool json,
        CliIo io, CancellationToken ct, IReadOnlyList<string>? tables = null, bool inPlace = false)
    {
        var path = $"api/v1/migrations/{Uri.EscapeDataString(database)}/data-snapshots";
        var answer = action switch
        {
            "list" => await api.GetAsync(path, ct),
            "take" => await api.PostAsync(path, new { reason, tables = tables is { Count: > 0 } ? tables : null }, ct),
            _ when inPlace => await api.PostAsync($"{path}/{Uri.EscapeDataString(name!)}/restore-in-place", new { reason }, ct),
            _ => await api.PostAsync($"{path}/{Uri.EscapeDataString(name!)}/restore", new { reason, new_database = into }, ct),
        };
        if (answer.Status == 0)
        {
            io.Stderr.WriteLine($"rose: {answer.Body}");
            return ExitCodes.Unavailable;
        }

        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(answer.Body) ? "{}" : answer.Body);
        var root = doc.RootElement;
        if (answer.Status == 403 && MigrateCommand.Str(root, "status") == "denied")
        {
            io.Stderr.WriteLine("rose: denied: " + string.Join("; ", root.GetProperty("reasons").EnumerateArray().Select(r => r.GetString())));
            return ExitCodes.Deny;
        }

        if (answer.Status == 202)
        {
            // Parked: nothing has changed yet; an approver decides on /approvals.
            io.Stdout.WriteLine(json ? answer.Body : string.Create(CultureInfo.InvariantCulture,
                $"pending approval #{root.GetProperty("approval_id").GetInt64()}: restore of {root.GetProperty("snapshot").GetString()} in place over {root.GetProperty("database").GetString()} runs once an approver approves it (audit {root.GetProperty("audit_id").GetInt64()})"));
            return ExitCodes.Approval;
        }

        if (answer.Status is not (200 or 201 or 422))
        {
            io.Stderr.WriteLine($"rose: HTTP {answer.Status}: {MigrateCommand.Str(root, "error") ?? MigrateCommand.Str(root, "detail") ?? answer.Body}");
            return answer.Status == 400 ? ExitCodes.Usage : ExitCodes.Unavailable;
        }

        if (json)
        {
            io.Stdout.WriteLine(answer.Body);
        }
        else
        {
            Print(action, root, io.Stdout);
        }

        return answer.Status == 422 ? ExitCodes.MalformedInput : ExitCodes.Ok;
    }

    private static void Print(string action, JsonElement root, TextWriter o)
    {
        switch (action)
        {
            case "list":
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"NAME",-22} {"CREATED",-20} {"AGE",8} {"BYTES",12} {"TABLES",6} {"ROWS",12}  CONTENTS"));
                foreach (var s in root.EnumerateArray())
                {
                    var contents = s.TryGetProperty("chosen_tables", out var chosen) && chosen.ValueKind == JsonValueKind.Array
                        ? string.Join(", ", chosen.EnumerateArray().Select(t => t.GetString()))
                        : "whole database";
                    var age = s.TryGetProperty("age_seconds", out var seconds) ? Age(seconds.GetInt64()) : "";
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{s.GetProperty("name").GetString(),-22} {s.GetProperty("created_at").GetDateTimeOffset():yyyy-MM-dd HH:mm:ss} {age,8} {s.GetProperty("bytes").GetInt64(),12} {s.GetProperty("tables").GetArrayLength(),6} {s.GetProperty("rows").GetInt64(),12}  {contents}"));
                }

                break;
            case "take":
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"snapshot {root.GetProperty("name").GetString()}: {root.GetProperty("tables").GetArrayLength()} table(s), {root.GetProperty("rows").GetInt64()} row(s), {root.GetProperty("bytes").GetInt64()} bytes (audit {root.GetProperty("audit_id").GetInt64()})"));
                break;
            default:
                var verified = root.GetProperty("verified").GetBoolean();
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(verified ? "verified" : "DIFFERS")}: {root.GetProperty("snapshot").GetString()} restored into {root.GetProperty("restored_database").GetString()}, {root.GetProperty("tables").GetInt32()} table(s), {root.GetProperty("rows").GetInt64()} row(s)"));
                foreach (var m in root.GetProperty("mismatches").EnumerateArray())
                {
                    o.WriteLine($"  {m.GetProperty("table").GetString()}: {m.GetProperty("reason").GetString()}");
                }

                break;
        }
    }

    /// <summary>A short age: 45s, 12m, 5h, 3d.</summary>
    private static string Age(long seconds) => seconds switch
    {
        < 60 => $"{seconds}s",
        < 3600 => $"{seconds / 60}m",
        < 86400 => $"{seconds / 3600}h",
        _ => $"{seconds / 86400}d",
    };
}
