using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// The two session settings under which PostgreSQL reads statement text the way libpg_query does:
/// standard_conforming_strings on (a backslash in '...' is an ordinary character) and client_encoding
/// UTF8 (every byte is where the classifier saw it). In a session where either differs, the same bytes
/// can be another statement: on PostgreSQL 15 with standard_conforming_strings off,
/// <c>WITH a AS (SELECT 'x\''), b AS (DELETE FROM t RETURNING 1) SELECT 1 --') SELECT 1</c>, classified
/// as a SELECT of a constant, deletes every row. The classifier refuses statements that change either
/// setting (SET, SET LOCAL, ALTER ROLE ... SET), but a function can call set_config() where it cannot
/// look, and a server, database or role can start sessions that way. So the executor reads the values
/// PostgreSQL reports (ParameterStatus, which Npgsql keeps in <see cref="NpgsqlConnection.PostgresParameters"/>
/// as each statement's answer arrives) before it sends each statement, and sends nothing more when
/// either is off: the transaction rolls back, the pool resets the session.
/// </summary>
internal static class ParsingSettings
{
    /// <summary>The refusal, or null when the session reads text as the classifier did.</summary>
    public static SqlError? Check(NpgsqlConnection conn, SqlStatement statement)
    {
        var parameters = conn.PostgresParameters;
        var strings = parameters.GetValueOrDefault("standard_conforming_strings");
        var encoding = parameters.GetValueOrDefault("client_encoding");
        var problem = !string.Equals(strings, "on", StringComparison.OrdinalIgnoreCase)
            ? $"standard_conforming_strings is {strings ?? "not reported"}"
            : !string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase)
                ? $"client_encoding is {encoding ?? "not reported"}"
                : null;
        return problem is null
            ? null
            : new SqlError("55000",
                $"Statement {statement.Index + 1} ({statement.Tag}) was not sent: in this session {problem}, so PostgreSQL would read its text "
                + "otherwise than Rose classified it (Rose requires standard_conforming_strings = on and client_encoding = UTF8). "
                + "An earlier statement's function may have changed it, or the server, database or role sets it: "
                + "ALTER ROLE <role> RESET standard_conforming_strings (or client_encoding) puts the default back.",
                StatementIndex: statement.Index);
    }
}
