using Rose.Core.Migrations;
using Rose.Core.Migrations.Lint;

namespace Rose.Core.Advisor;

/// <summary>A recommendation written as a versioned migration (and its undo) in the target's migrations folder.</summary>
public sealed record IndexMigrationFile(string FileName, string UndoFileName, string Folder, string Sql, IReadOnlyList<LintFinding> Findings);

/// <summary>
/// Turns an index recommendation into the next V&lt;n&gt;__ migration of the target's
/// Rose:Targets:&lt;name&gt;:MigrationsPath, with a U&lt;n&gt;__ undo, so the index ships with the schema
/// history instead of being created by hand. Nothing runs on the target here: applying the file is the
/// migration pipeline's job (plan, lint, policy, approval). The write is audited before it happens.
/// </summary>
public sealed class IndexMigrationWriter
{
    private readonly TargetRegistry targets;
    private readonly ISqlClassifier classifier;
    private readonly AuditedRuns runs;

    /// <summary>Internal: it takes Execution's audited-run primitive; hosts get the service from DI.</summary>
    internal IndexMigrationWriter(TargetRegistry targets, ISqlClassifier classifier, AuditedRuns runs)
    {
        this.targets = targets;
        this.classifier = classifier;
        this.runs = runs;
    }

    public async Task<IndexMigrationFile> WriteAsync(Actor executor, Channel channel, string database, IndexRecommendation recommendation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(recommendation);
        if (!targets.TryGet(database, out var target))
        {
            throw new AdvisorRequestException($"There is no target database named '{database}'.");
        }

        var folder = target.Definition.MigrationsPath;
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            throw new AdvisorRequestException(
                $"Target '{database}' has no migrations folder (Rose:Targets:{database}:MigrationsPath), so the index cannot be written as a migration.");
        }

        MigrationSet existing;
        try
        {
            existing = await MigrationSet.FromFolderAsync(folder, ct);
        }
        catch (MigrationException ex)
        {
            throw new AdvisorRequestException($"The migrations folder of '{database}' is not valid, so nothing was written: {ex.Message}");
        }

        var index = recommendation.IndexName;
        if (existing.Versioned.FirstOrDefault(s => s.Sql.Contains(PgIdentifiers.QuoteIdentifier(index), StringComparison.Ordinal)) is { } already)
        {
            throw new AdvisorRequestException($"{already.FileName} already creates {index}.");
        }

        var version = NextVersion(existing);
        var description = Describe(recommendation);
        var fileName = $"V{version}__{description}.sql";
        var undoName = $"U{version}__{description}.sql";
        var sql = Script(recommendation);
        var undo = $"-- Undo of {fileName}: drops the index it built, without blocking writes.\n"
            + $"DROP INDEX CONCURRENTLY IF EXISTS {PgIdentifiers.QuoteIdentifier(recommendation.Schema)}.{PgIdentifiers.QuoteIdentifier(index)};\n";

        var attempt = new AuditAttempt(executor, channel, database,
            $"performance advisor: write {fileName} and {undoName}", sql, ["WRITE MIGRATION"], Decision.Allow,
            ["writing a migration file runs nothing; applying it goes through the migration pipeline"]);
        try
        {
            await runs.RunAsync(attempt, async _ =>
                {
                    // CreateNew: never overwrite a file another writer put there a moment ago.
                    await WriteNewAsync(Path.Combine(folder, fileName), sql, ct);
                    await WriteNewAsync(Path.Combine(folder, undoName), undo, ct);
                    return true;
                },
                _ => new AuditOutcome(AuditStatus.Succeeded, 1), ct,
                failed: ex => new AuditOutcome(ex is OperationCanceledException ? AuditStatus.Cancelled : AuditStatus.Failed, 0, ErrorMessage: ex.Message));
        }
        catch (IOException ex)
        {
            throw new AdvisorRequestException($"{fileName} could not be written: {ex.Message}");
        }

        var findings = MigrationLinter.Lint(classifier.Classify(sql), LintContext.Empty);
        return new IndexMigrationFile(fileName, undoName, folder, sql, findings);
    }

    /// <summary>The file: why the index is proposed, then a lock timeout and the one CONCURRENTLY statement (it cannot share a transaction).</summary>
    internal static string Script(IndexRecommendation r)
    {
        var text = new StringBuilder();
        text.Append("-- Index proposed by the Rose performance advisor");
        text.Append(r.EstimatedSpeedup is { } speedup
            ? string.Create(CultureInfo.InvariantCulture, $": estimated {speedup:0.#}x cheaper with hypopg")
            : ": plan-based and unproven (no hypopg)");
        text.Append(r.SizeBytes is { } size ? string.Create(CultureInfo.InvariantCulture, $", about {size / 1048576.0:0.#} MiB.\n") : ".\n");
        foreach (var query in r.Queries.Take(5))
        {
            text.Append("--   for: ").Append(OneLine(query)).Append('\n');
        }

        text.Append("-- CREATE INDEX CONCURRENTLY cannot run inside a transaction: keep it alone in this migration.\n");
        text.Append("SET lock_timeout = '5s';\n");
        text.Append("SET statement_timeout = '1h';\n");
        var create = r.CreateIndexSql.Replace("CREATE INDEX CONCURRENTLY ", "CREATE INDEX CONCURRENTLY IF NOT EXISTS ", StringComparison.Ordinal);
        text.Append(create).Append(";\n");
        return text.ToString();
    }

    private static string NextVersion(MigrationSet set)
    {
        var top = set.Scripts.Where(s => s.Version is not null).Select(s => s.Version!).Max();
        if (top is null)
        {
            return "1";
        }

        // The next whole version after the highest one: 7 -> 8, 7.3 -> 8, 2024.05.01 -> 2025.
        var major = top.Text.Split('.')[0];
        return (System.Numerics.BigInteger.Parse(major, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
    }

    private static string Describe(IndexRecommendation r)
    {
        var raw = $"add_index_{r.Table}_{string.Join("_", r.Columns)}".ToLowerInvariant();
        var safe = new string([.. raw.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        return safe.Length <= 80 ? safe : safe[..80];
    }

    private static string OneLine(string query)
    {
        var flat = string.Join(' ', query.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return flat.Length <= 160 ? flat : flat[..157] + "...";
    }

    private static async Task WriteNewAsync(string path, string text, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
    }
}
