using Npgsql;

namespace Rose.Core.Control;

/// <summary>
/// Runs Rose's own multi-statement scripts (control schema, demo data). Npgsql's client-side
/// splitting is off process-wide (see NpgsqlSettings), so scripts are split by the real parser and
/// sent one statement at a time, the same way user SQL is.
/// </summary>
public static class SqlScript
{
    private static readonly Lazy<PgQueryClassifier> Classifier = new(() => new PgQueryClassifier());

    public static IReadOnlyList<string> Split(string script)
    {
        var batch = Classifier.Value.Classify(script);
        var bad = batch.Statements.FirstOrDefault(s => !s.IsParsed);
        if (bad is not null)
        {
            throw new InvalidOperationException($"Rose's own script does not parse at statement {bad.Index + 1}: {bad.Error?.Message}");
        }

        return [.. batch.Statements.Select(s => s.Text)];
    }

    public static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string script, CancellationToken ct, int commandTimeoutSeconds = 30)
    {
        ArgumentNullException.ThrowIfNull(conn);
        foreach (var statement in Split(script))
        {
            await using var cmd = new NpgsqlCommand(statement, conn, tx) { CommandTimeout = commandTimeoutSeconds };
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }
}
