using System.Security.Cryptography;
using Npgsql;

namespace Rose.Core.Control;

/// <summary>
/// Login roles Rose makes for itself on its own cluster (the control role, a demo database's roles),
/// over a superuser connection: their passwords and the statement that creates or realigns them.
/// </summary>
internal static class LoginRoles
{
    private const string DuplicateObject = "42710";
    private const string UniqueViolation = "23505";

    /// <summary>
    /// An HMAC of the role name keyed by the admin password: stable across restarts (connections made
    /// from it keep working) without storing another secret, and useless for recovering the admin
    /// password. Without an admin password it is random and rotates on each call.
    /// </summary>
    /// <param name="purpose">Separates the keys of different kinds of role (e.g. "rose-demo-role").</param>
    public static string Password(string? adminPassword, string purpose, string role)
    {
        var bytes = string.IsNullOrEmpty(adminPassword)
            ? RandomNumberGenerator.GetBytes(32)
            : HMACSHA256.HashData(Encoding.UTF8.GetBytes(adminPassword), Encoding.UTF8.GetBytes(purpose + ":" + role));
        return Convert.ToBase64String(bytes).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
    }

    /// <summary>
    /// Creates the role, or sets its attributes and password again when it exists: on every start, so a
    /// role tampered with (granted CREATEROLE, say) is put back to least privilege.
    /// </summary>
    public static async Task EnsureAsync(NpgsqlConnection conn, string role, string password, string attributes, CancellationToken ct)
    {
        var quoted = PgIdentifiers.QuoteIdentifier(role);
        var literal = PgIdentifiers.QuoteLiteral(password);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = $1", conn))
        {
            exists.Parameters.AddWithValue(role);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                try
                {
                    await SqlScript.ExecuteAsync(conn, null, $"CREATE ROLE {quoted} {attributes} PASSWORD {literal}", ct);
                    return;
                }
                catch (PostgresException ex) when (ex.SqlState is DuplicateObject or UniqueViolation)
                {
                    // Created concurrently by another console: align it below.
                }
            }
        }

        await SqlScript.ExecuteAsync(conn, null, $"ALTER ROLE {quoted} WITH {attributes} PASSWORD {literal}", ct);
    }
}
