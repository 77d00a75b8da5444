namespace Rose.Core.Sql.Editing;

public enum TokenKind
{
    /// <summary>An identifier, quoted or not.</summary>
    Word,
    Space,
    Literal,
    LineComment,
    BlockComment,
    Other,

    /// <summary>A keyword, as PostgreSQL's lexer reports it.</summary>
    Keyword,
}
