namespace Rose.Core.Sql;

/// <summary>One statement of a batch, as the real PostgreSQL parser sees it.</summary>
/// <param name="Index">Zero-based position in the batch.</param>
/// <param name="Start">Offset of the statement's first character in the batch text (UTF-16 chars).</param>
/// <param name="Length">Length of the statement text in UTF-16 chars, without the trailing semicolon.</param>
/// <param name="Text">
/// The exact statement text as it will be sent to the server: the input from the first to the last
/// of the statement's own tokens (PostgreSQL's lexer decides), comments between them included,
/// the comments and whitespace around it and the separating semicolon left out. It is exactly what
/// was parsed and classified for this statement; parsed alone it is the same single statement.
/// </param>
/// <param name="Node">libpg_query node name of the statement, e.g. "SelectStmt"; "Unparseable" when it did not parse.</param>
/// <param name="Tag">PostgreSQL command tag, e.g. "SELECT", "CREATE TABLE", "DROP INDEX"; "UNPARSEABLE" when it did not parse.</param>
/// <param name="Operations">The statement's own tag, the tags of every nested statement and "FUNCTION name" per side-effecting built-in call; distinct, in first-seen order.</param>
/// <param name="Objects">Relations and other objects the statement names, schema-qualified where written so.</param>
/// <param name="Writes">True when the statement may change data, schema, server state or session state (anything but a plain read).</param>
/// <param name="Destructive">True when it drops, truncates, or deletes/updates data (DROP, TRUNCATE, DELETE, UPDATE, ALTER ... DROP).</param>
/// <param name="NoTransaction">True when PostgreSQL refuses to run it inside a transaction block (VACUUM, CREATE INDEX CONCURRENTLY, CREATE DATABASE, ...).</param>
/// <param name="TransactionControl">True for BEGIN/COMMIT/ROLLBACK/SAVEPOINT and friends, which Rose never forwards inside its own transaction.</param>
/// <param name="Kind">Broad class used by environment rules (prod parks DDL, staging parks unfiltered DML).</param>
/// <param name="UnfilteredDml">True when it holds an UPDATE or DELETE without WHERE (at any depth, including CTEs).</param>
/// <param name="Error">The parse error, when the statement did not parse.</param>
public sealed record SqlStatement(
    int Index,
    int Start,
    int Length,
    string Text,
    string Node,
    string Tag,
    IReadOnlyList<string> Operations,
    IReadOnlyList<string> Objects,
    bool Writes,
    bool Destructive,
    bool NoTransaction,
    bool TransactionControl,
    StatementKind Kind,
    bool UnfilteredDml,
    SqlParseError? Error)
{
    public bool IsParsed => Error is null;
}

/// <summary>Broad statement classes.</summary>
public enum StatementKind
{
    /// <summary>SELECT/VALUES/SHOW/EXPLAIN without ANALYZE of a write: reads only.</summary>
    Read,

    /// <summary>INSERT, UPDATE, DELETE, MERGE, COPY FROM, SELECT INTO, row-locking SELECT ... FOR UPDATE/SHARE and other data changes.</summary>
    Dml,

    /// <summary>CREATE/ALTER/DROP/COMMENT/GRANT/REVOKE and other schema changes.</summary>
    Ddl,

    /// <summary>Everything else that changes server or session state: SET, VACUUM, DO, CALL, LOCK, LISTEN...</summary>
    Utility,

    /// <summary>BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION...</summary>
    TransactionControl,

    /// <summary>Did not parse.</summary>
    Unparseable,
}

/// <summary>A parse error with the cursor position (offset into the batch text, UTF-16 chars) when PostgreSQL gave one.</summary>
public sealed record SqlParseError(string Message, int? Position);

/// <summary>A classified batch: every statement, in order.</summary>
public sealed record SqlBatch(string Text, IReadOnlyList<SqlStatement> Statements)
{
    public bool AllParsed => Statements.All(s => s.IsParsed);
    public bool AllReads => Statements.Count > 0 && Statements.All(s => s.IsParsed && !s.Writes);
}

/// <summary>Well-known operation names.</summary>
public static class SqlOperations
{
    /// <summary>The operation of anything the parser could not read. No policy can allow it.</summary>
    public const string Unparseable = "UNPARSEABLE";

    /// <summary>
    /// The operation of SELECT ... FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE (at any
    /// depth). It does not start with "SELECT", so a SELECT policy entry never allows it.
    /// </summary>
    public const string LockRows = "LOCK ROWS";

    /// <summary>Prefix of the operation added for each call of a side-effecting built-in function.</summary>
    public const string FunctionPrefix = "FUNCTION ";
}

/// <summary>Turns SQL text into classified statements with the real PostgreSQL parser.</summary>
public interface ISqlClassifier
{
    /// <summary>Split, parse and classify. Never throws for bad SQL: unreadable parts become UNPARSEABLE statements.</summary>
    SqlBatch Classify(string sql);
}
