namespace Rose.Core.Sql;

/// <summary>Thrown when the native PostgreSQL parser library (libpg_query) cannot be loaded; the message names the Debian package to install.</summary>
public sealed class SqlParserUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
