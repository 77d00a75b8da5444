using System.Diagnostics;
using Npgsql;
using Rose.Core.Control.Queries;

namespace Rose.Core.Control;

/// <summary>
/// Applies Rose's own control-schema scripts (embedded V&lt;NNN&gt;__&lt;name&gt;.sql) in version order, each
/// once, recording them in rose.schema_version. Safe when several Rose instances start together.
/// </summary>
public sealed class ControlSchemaMigrator
{
    /// <summary>Session advisory lock key held for a whole run ('rose' 'schm' as two ASCII words).</summary>
    public const long AdvisoryLockKey = 0x726F7365_7363686D;

    // CREATE SCHEMA checks the database's CREATE privilege even when the schema exists; the control
    // role owns schema rose but may not create schemas, so the schema is created only when missing.
    private const string CreateHistory = """
        DO $rose$ BEGIN IF to_regnamespace('rose') IS NULL THEN CREATE SCHEMA rose; END IF; END $rose$;
        CREATE TABLE IF NOT EXISTS rose.schema_version (
            version     integer PRIMARY KEY,
            name        text NOT NULL,
            checksum    text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now(),
            duration_ms double precision
        );
        """;

    private readonly IReadOnlyList<SchemaScript> _scripts;
    private readonly ILogger<ControlSchemaMigrator> _logger;

    public ControlSchemaMigrator(ILogger<ControlSchemaMigrator> logger)
        : this(SchemaScripts.All, logger)
    {
    }

    /// <summary>For tests: a migrator over other scripts than the embedded ones.</summary>
    internal ControlSchemaMigrator(IReadOnlyList<SchemaScript> scripts, ILogger<ControlSchemaMigrator> logger)
    {
        _scripts = scripts.OrderBy(s => s.Version).ToList();
        _logger = logger;
    }

    /// <summary>The scripts this build carries, in version order.</summary>
    public IReadOnlyList<SchemaScript> Scripts => _scripts;

    /// <summary>Applies every missing version; returns how many this call applied.</summary>
    /// <exception cref="SchemaDriftException">An applied version's checksum changed, or the database holds versions this build lacks.</exception>
    public async Task<int> MigrateAsync(NpgsqlDataSource controlDb, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(controlDb);
        // One dedicated connection holds the session lock for the whole run; each script gets its own
        // transaction on it, so a failure leaves the earlier versions applied and recorded.
        await using var conn = await controlDb.OpenConnectionAsync(ct);
        await ExecuteAsync(conn, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await ExecuteAsync(conn, CreateHistory, ct);
            var applied = await ReadAppliedAsync(conn, ct);
            CheckDrift(applied);

            var count = 0;
            foreach (var script in _scripts.Where(s => !applied.ContainsKey(s.Version)))
            {
                await ApplyAsync(conn, script, ct);
                count++;
            }
            if (count == 0)
            {
                _logger.LogDebug("Control schema is current (version {Version})", _scripts.Count == 0 ? 0 : _scripts[^1].Version);
            }
            return count;
        }
        finally
        {
            // Unlock explicitly: a pooled connection returns to the pool with its session alive (Npgsql's
            // reset on reuse, DISCARD ALL, would also release it, but only when the connection is reused).
            try
            {
                if (conn.State == System.Data.ConnectionState.Open)
                {
                    await ExecuteAsync(conn, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
                }
            }
            catch (NpgsqlException ex)
            {
                _logger.LogWarning(ex, "Could not release the control-schema advisory lock; it ends with the session");
            }
        }
    }

    /// <summary>True when every embedded version is applied with a matching (or listed superseded) checksum (for /readyz).</summary>
    public Task<bool> IsCurrentAsync(NpgsqlDataSource controlDb, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => IsCurrentUntranslatedAsync(controlDb, ct));

    private async Task<bool> IsCurrentUntranslatedAsync(NpgsqlDataSource controlDb, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(controlDb);
        await using var conn = await controlDb.OpenConnectionAsync(ct);
        var exists = await ControlQueries.QueryAsync<bool>(conn, null, "SELECT to_regclass('rose.schema_version') IS NOT NULL", null, ct);
        if (!exists.Single())
        {
            return false;
        }

        var applied = await ReadAppliedAsync(conn, ct);
        return _scripts.All(s => applied.TryGetValue(s.Version, out var row) && SupersededChecksums.Accepts(s, row.Checksum))
            && applied.Keys.All(v => _scripts.Any(s => s.Version == v));
    }

    private async Task ApplyAsync(NpgsqlConnection conn, SchemaScript script, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            foreach (var statement in SqlScript.Split(script.Sql))
            {
                if (await IsExistingSchemaCreationAsync(conn, tx, statement, ct))
                {
                    continue;
                }

                // No command timeout: a script may rewrite or index the whole audit log (V252, V263: minutes
                // at 10M rows), and cutting it off at 30 s would stop every start-up on a large log.
                // Start-up's cancellation still ends it, and the transaction rolls back.
                await SqlScript.ExecuteAsync(conn, tx, statement, ct, commandTimeoutSeconds: 0);
            }

            await ControlQueries.ExecuteAsync(conn, tx, "INSERT INTO rose.schema_version (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)",
                new(PgParam.Int(script.Version), PgParam.Text(script.Name), PgParam.Text(script.Checksum), PgParam.Double(watch.Elapsed.TotalMilliseconds)), ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException ex)
        {
            throw new InvalidOperationException(
                $"Control-schema version V{script.Version:000}__{script.Name} failed and was rolled back: {ex.SqlState} {ex.MessageText}" +
                (ex.Position > 0 ? $" (at character {ex.Position})" : ""), ex);
        }
        _logger.LogInformation("Applied control-schema version V{Version:000}__{Name} in {Ms:0} ms", script.Version, script.Name, watch.Elapsed.TotalMilliseconds);
    }

    private static readonly System.Text.RegularExpressions.Regex CreateSchemaIfNotExists = new(
        @"^\s*CREATE\s+SCHEMA\s+IF\s+NOT\s+EXISTS\s+([a-z_][a-z0-9_]*)\s*;?\s*$",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// V001 says CREATE SCHEMA IF NOT EXISTS rose, and PostgreSQL checks the database's CREATE privilege
    /// before it looks whether the schema exists. The control role owns schema rose but may not create
    /// schemas, so such a statement is skipped when its schema is already there (its effect would be nil).
    /// </summary>
    private static async Task<bool> IsExistingSchemaCreationAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string statement, CancellationToken ct)
    {
        var match = CreateSchemaIfNotExists.Match(statement);
        if (!match.Success)
        {
            return false;
        }

        var exists = await ControlQueries.QueryAsync<bool>(conn, tx, "SELECT to_regnamespace($1) IS NOT NULL",
            new(PgParam.Text(match.Groups[1].Value.ToLowerInvariant())), ct);
        return exists.Single();
    }

    private void CheckDrift(IReadOnlyDictionary<int, AppliedVersion> applied)
    {
        foreach (var script in _scripts)
        {
            if (applied.TryGetValue(script.Version, out var row) && !SupersededChecksums.Accepts(script, row.Checksum))
            {
                throw new SchemaDriftException(
                    $"Control-schema version V{script.Version:000}__{script.Name} was applied with checksum {row.Checksum} " +
                    $"but this build's script has {script.Checksum}. Applied scripts must never change: add a new V<NNN> script instead.");
            }
        }
        var unknown = applied.Keys.Where(v => _scripts.All(s => s.Version != v)).Order().ToList();
        if (unknown.Count > 0)
        {
            throw new SchemaDriftException(
                $"The control database has schema versions this build does not know ({string.Join(", ", unknown)}): " +
                "it was migrated by a newer Rose. Run that version, or restore a matching backup.");
        }
    }

    private static async Task<Dictionary<int, AppliedVersion>> ReadAppliedAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var rows = await ControlQueries.QueryAsync<AppliedVersion>(conn, null,
            """SELECT version AS "Version", name AS "Name", checksum AS "Checksum" FROM rose.schema_version ORDER BY version""", null, ct);
        return rows.ToDictionary(r => r.Version);
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await SqlScript.ExecuteAsync(conn, null, sql, ct);
    }

    private sealed record AppliedVersion(int Version, string Name, string Checksum);
}
