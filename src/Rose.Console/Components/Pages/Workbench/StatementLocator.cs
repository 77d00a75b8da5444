using Rose.Core.Sql;

namespace Rose.Console.Components.Pages.Workbench;

/// <summary>Maps editor offsets to the parser's statements and back to line/column for markers and messages.</summary>
public static class StatementLocator
{
    /// <summary>
    /// The statement under the cursor: the one whose text (plus its semicolon) contains the offset,
    /// else the last one that starts before it (cursor in the blank space after a statement),
    /// else the first one.
    /// </summary>
    public static SqlStatement? At(SqlBatch batch, int offset)
    {
        ArgumentNullException.ThrowIfNull(batch);
        SqlStatement? before = null;
        foreach (var statement in batch.Statements)
        {
            // +1 so a cursor right after the closing semicolon still belongs to the statement.
            if (offset >= statement.Start && offset <= statement.Start + statement.Length + 1)
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

    /// <summary>1-based line and column of a UTF-16 offset, counting \r\n, \r and \n as line breaks like Monaco does.</summary>
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

/// <summary>A squiggle in the editor, as a UTF-16 range of the whole editor text; the JS module turns it into a Monaco marker.</summary>
public sealed record EditorMarker(int Offset, int Length, string Message, string Severity = "error");
