namespace Rose.Core.Sql.Editing;

/// <summary>Maps editor offsets to the parser's statements and back to line/column for markers and messages.</summary>
public static class StatementLocator
{
    /// <summary>
    /// The statement under the cursor: the one whose text (the parser's span, cut at its first and
    /// last token by the lexer) contains the offset, else the last one that starts before it
    /// (cursor on the semicolon, a comment or the blank space after a statement), else the first one.
    /// </summary>
    public static SqlStatement? At(SqlBatch batch, int offset)
    {
        ArgumentNullException.ThrowIfNull(batch);
        SqlStatement? before = null;
        foreach (var statement in batch.Statements)
        {
            if (offset >= statement.Start && offset <= statement.Start + statement.Length)
            {
                return statement;
            }

            if (statement.Start <= offset)
            {
                before = statement;
            }
        }

        return before ?? batch.Statements.FirstOrDefault();
    }

    /// <summary>
    /// 1-based line and column of a UTF-16 offset in Monaco's line model (\r\n, \r and \n end a
    /// line), for placing editor markers. It describes the editor's lines, not SQL: no statement,
    /// comment or string boundary is decided here.
    /// </summary>
    public static (int Line, int Column) ToLineColumn(string text, int offset)
    {
        ArgumentNullException.ThrowIfNull(text);
        offset = Math.Clamp(offset, 0, text.Length);
        int line = 1, lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }
}
