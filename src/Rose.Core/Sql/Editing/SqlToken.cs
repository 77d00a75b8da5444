namespace Rose.Core.Sql.Editing;

public readonly record struct SqlToken(TokenKind Kind, string Text);
