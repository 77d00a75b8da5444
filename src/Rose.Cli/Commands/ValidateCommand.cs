namespace Rose.Cli.Commands;

/// <summary>
/// `rose validate --database NAME --url URL --api-key KEY [--json]`: runs the validation of a target
/// through the console's API and prints the failing checks; exits non-zero when a check fails, so a
/// CI step or a cron job can gate on it.
/// </summary>
public static class ValidateCommand
{
    public static Command Create(CliIo io, Func<HttpMessageHandler?>? handler = null)
    {
        var database = new Option<string>("--database") { Description = "Target database name.", Required = true };
        var server = new ServerOptions();
        var json = new Option<bool>("--json") { Description = "Print the API's JSON answer instead of a summary." };
        var command = new Command("validate", "Run the data checks and schema audit of a database.") { database };
        server.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            using var api = server.Connect(parse, "cli", handler?.Invoke());
            var answer = api.PostAsync("/api/v1/validation/run", new { database = parse.GetValue(database) }, CancellationToken.None).GetAwaiter().GetResult();
            return Report(answer, parse.GetValue(json), io);
        });
        return command;
    }

    public static int Report(ApiAnswer answer, bool json, CliIo io)
    {
        if (!answer.IsSuccess)
        {
            io.Stderr.WriteLine($"rose: validation failed to run (HTTP {answer.Status}): {answer.Body}");
            return answer.Status == 0 ? ExitCodes.Unavailable : ExitCodes.ValidationError;
        }

        using var doc = JsonDocument.Parse(answer.Body);
        var root = doc.RootElement;
        var summary = root.GetProperty("summary");
        int Count(string name) => summary.GetProperty(name).GetInt32();
        if (json)
        {
            io.Stdout.WriteLine(answer.Body);
        }
        else
        {
            io.Stdout.WriteLine($"{root.GetProperty("database").GetString()}: {root.GetProperty("health").GetString()} " +
                $"(run {root.GetProperty("run_id").GetInt64()}: {Count("pass")} pass, {Count("warn")} warn, {Count("fail")} fail, " +
                $"{Count("error")} error; {Count("findings")} audit findings)");
            foreach (var r in root.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("status").GetString() != "pass"))
            {
                io.Stdout.WriteLine($"  {r.GetProperty("status").GetString(),-5} {r.GetProperty("title").GetString()}: {r.GetProperty("message").GetString()}");
            }

            foreach (var f in root.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("severity").GetString() != "info"))
            {
                io.Stdout.WriteLine($"  audit {f.GetProperty("rule").GetString()}: {f.GetProperty("object").GetString()}: {f.GetProperty("detail").GetString()}");
            }
        }

        return Count("fail") > 0 || Count("error") > 0 || root.GetProperty("status").GetString() != "completed"
            ? ExitCodes.ValidationFailed
            : ExitCodes.Ok;
    }
}
