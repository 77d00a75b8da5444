using System.Text.Json.Serialization;
using Rose.Core.Policy;
using Rose.Core.Sql;
using Rose.Core.Targets;

namespace Rose.Cli.Commands;

/// <summary>
/// `rose policy check --policy FILE --database NAME [--environment dev|staging|prod] [--jsonl] [FILE|-]`:
/// the decision of the real PolicyEnforcer. Exit code: 0 allow, 2 approval, 3 deny (the strictest
/// input decides), 1 a malformed --jsonl line, 64 usage, 66 unreadable input, 78 bad policy file.
/// </summary>
public static class PolicyCommand
{
    private static readonly JsonSerializerOptions PolicyJson = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static Command Create(CliIo io, Lazy<ISqlClassifier> classifier)
    {
        var policy = new Option<string>("--policy") { Description = "Policy JSON file (the seed's format).", Required = true };
        var database = new Option<string>("--database") { Description = "Target database name.", Required = true };
        var environment = new Option<string?>("--environment") { Description = "Target environment: dev, staging or prod (tightens the policy's own)." };
        environment.AcceptOnlyFromAmong(TargetEnvironments.Names.ToArray());
        var jsonl = new Option<bool>("--jsonl") { Description = "Input lines are {\"sql\": \"...\"}; answer one decision per line." };
        var file = new Argument<string?>("FILE") { Description = "SQL file, or - for stdin (default).", Arity = ArgumentArity.ZeroOrOne };

        var check = new Command("check", "Classify SQL and decide it against a policy.") { policy, database, environment, jsonl, file };
        check.SetAction(parseResult =>
        {
            TargetEnvironment? target = null;
            if (parseResult.GetValue(environment) is { } name && TargetEnvironments.TryParse(name, out var parsed))
            {
                target = parsed;
            }

            var context = new CheckContext(io, classifier.Value, LoadPolicy(parseResult.GetValue(policy)!), parseResult.GetValue(database)!, target);
            return Run(context, parseResult.GetValue(jsonl), parseResult.GetValue(file));
        });

        var command = new Command("policy", "Policy tools.");
        command.Subcommands.Add(check);
        return command;
    }

    /// <summary>Loads a policy, refusing unknown fields so a typo cannot silently loosen or drop a rule.</summary>
    public static SqlPolicy LoadPolicy(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"policy file '{path}': cannot read it: {e.Message}", ExitCodes.BadPolicy);
        }

        try
        {
            return JsonSerializer.Deserialize<SqlPolicy>(json, PolicyJson)
                ?? throw new CliException($"policy file '{path}': expected a JSON object, found null", ExitCodes.BadPolicy);
        }
        catch (JsonException e)
        {
            throw new CliException($"policy file '{path}': {e.Message}", ExitCodes.BadPolicy);
        }
    }

    private sealed record CheckContext(CliIo Io, ISqlClassifier Classifier, SqlPolicy Policy, string Database, TargetEnvironment? Target);

    private static int Run(CheckContext context, bool jsonl, string? path)
    {
        var enforcer = new PolicyEnforcer();
        if (!jsonl)
        {
            var decision = Decide(context, enforcer, context.Io.ReadAll(path));
            return ExitCode(decision.Decision);
        }

        var strictest = Decision.Allow;
        var malformed = false;
        foreach (var (sql, error) in context.Io.ReadJsonLines(path))
        {
            if (error is not null)
            {
                context.Io.WriteError(error);
                malformed = true;
                continue;
            }

            var decision = Decide(context, enforcer, sql!);
            strictest = decision.Decision > strictest ? decision.Decision : strictest;
        }

        return malformed ? ExitCodes.MalformedInput : ExitCode(strictest);
    }

    private static PolicyDecision Decide(CheckContext context, PolicyEnforcer enforcer, string sql)
    {
        var batch = context.Classifier.Classify(sql);
        var decision = enforcer.Evaluate(context.Policy, context.Database, context.Target, batch);
        context.Io.WriteJsonLine(w =>
        {
            w.WriteStartObject();
            w.WriteString("decision", decision.Decision.Name());
            ClassifyCommand.WriteStrings(w, "operations", decision.Operations);
            ClassifyCommand.WriteStrings(w, "reasons", decision.Reasons);
            w.WriteStartArray("statements");
            foreach (var statement in decision.Statements)
            {
                w.WriteStartObject();
                w.WriteNumber("index", statement.Index);
                w.WriteString("tag", statement.Tag);
                w.WriteString("decision", statement.Decision.Name());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return decision;
    }

    private static int ExitCode(Decision decision) => decision switch
    {
        Decision.Allow => ExitCodes.Ok,
        Decision.Approval => ExitCodes.Approval,
        _ => ExitCodes.Deny,
    };
}
