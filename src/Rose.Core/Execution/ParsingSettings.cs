using Npgsql;
using Rose.Core.Sql.Classification;

namespace Rose.Core.Execution;

/// <summary>
/// The session side of <see cref="LexerSettings"/>: PostgreSQL reads statement text as libpg_query
/// does only with standard_conforming_strings on and client_encoding UTF8 (that class shows a SELECT of a constant
/// that deletes rows otherwise). The classifier refuses statements that change either, but a function can call
/// set_config() where it cannot look, and a server, database or role can start sessions that way. So the executor
/// and migration sessions read the values PostgreSQL reports (ParameterStatus, kept by Npgsql in
/// <see cref="NpgsqlConnection.PostgresParameters"/> as each statement's answer arrives) before they send each
/// statement, and send nothing more when either is off: the transaction rolls back, the pool resets the session.
/// </summary>
internal static class ParsingSettings
{
    /// <summary>The refusal, or null when the session reads text as the classifier did.</summary>
    public static SqlError? Check(NpgsqlConnection conn, SqlStatement statement)
    {
        var parameters = conn.PostgresParameters;
        var strings = parameters.GetValueOrDefault(LexerSettings.StandardConformingStrings);
        var encoding = parameters.GetValueOrDefault(LexerSettings.ClientEncoding);
        var problem = !string.Equals(strings, "on", StringComparison.OrdinalIgnoreCase)
            ? $"{LexerSettings.StandardConformingStrings} is {strings ?? "not reported"}"
            : !string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase)
                ? $"{LexerSettings.ClientEncoding} is {encoding ?? "not reported"}"
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
