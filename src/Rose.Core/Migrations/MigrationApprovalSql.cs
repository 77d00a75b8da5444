namespace Rose.Core.Migrations;

/// <summary>
/// The SQL a parked migration run becomes: every pending migration's statements followed by its
/// history row, as one batch. The approval service later runs exactly this through the pipeline, so
/// the migrations and their history commit together (or not at all), and the partial unique index
/// on the history refuses a version that another runner applied meanwhile.
/// </summary>
public static class MigrationApprovalSql
{
    public static string ForApply(IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> migrations, Actor executor)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentNullException.ThrowIfNull(executor);
        var sb = new StringBuilder();
        foreach (var (script, batch) in migrations)
        {
            sb.Append("-- migration ").Append(OneLine(script.FileName)).Append('\n');
            foreach (var statement in batch.Statements)
            {
                sb.Append(statement.Text).Append(";\n");
            }

            sb.Append(HistoryInsert(script, executor.Name)).Append(";\n\n");
        }

        return sb.ToString();
    }

    public static string ForUndo(IReadOnlyList<(MigrationScript Undo, SqlBatch Batch)> undos, Actor executor)
    {
        ArgumentNullException.ThrowIfNull(undos);
        ArgumentNullException.ThrowIfNull(executor);
        var sb = new StringBuilder();
        foreach (var (undo, batch) in undos)
        {
            sb.Append("-- undo ").Append(OneLine(undo.FileName)).Append('\n');
            foreach (var statement in batch.Statements)
            {
                sb.Append(statement.Text).Append(";\n");
            }

            sb.Append("DELETE FROM rose_schema_history WHERE version = ").Append(Literal(undo.Version!.Text)).Append(" AND type = 'SQL';\n");
            sb.Append(HistoryInsert(undo, executor.Name)).Append(";\n\n");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The files a parked run holds, read back from its "-- migration"/"-- undo" marker comments, as
    /// "V2__x.sql" or "undo U2__x.sql". PostgreSQL's lexer finds the comments, so a marker-like line
    /// inside a string or dollar-quoted body is not one. Only for naming the run (devlog titles): a
    /// statement's own comment just like a marker would be listed too, which changes nothing run.
    /// </summary>
    public static IReadOnlyList<string> Files(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var files = new List<string>();
        foreach (var token in SqlLexer.Scan(sql).Tokens)
        {
            if (token.Kind != SqlTokenKind.LineComment)
            {
                continue;
            }

            var comment = sql.Substring(token.Start, token.Length);
            if (comment.StartsWith("-- migration ", StringComparison.Ordinal))
            {
                files.Add(comment["-- migration ".Length..].Trim());
            }
            else if (comment.StartsWith("-- undo ", StringComparison.Ordinal))
            {
                files.Add("undo " + comment["-- undo ".Length..].Trim());
            }
        }

        return files;
    }

    /// <summary>
    /// A file name fit for a "--" comment: every control character (PostgreSQL ends the comment at
    /// a carriage return as well as a line feed) becomes a space, so the name cannot end the
    /// comment and start SQL of its own.
    /// </summary>
    private static string OneLine(string fileName) =>
        string.Create(fileName.Length, fileName, static (span, name) =>
        {
            for (var i = 0; i < name.Length; i++)
            {
                span[i] = char.IsControl(name[i]) ? ' ' : name[i];
            }
        });

    private static string HistoryInsert(MigrationScript script, string installedBy) =>
        "INSERT INTO rose_schema_history (version, description, type, script, checksum, installed_by, execution_time, success) VALUES ("
        + (script.Version is null ? "NULL" : Literal(script.Version.Text)) + ", "
        + Literal(script.Description) + ", "
        + Literal(SchemaHistory.TypeOf(script)) + ", "
        + Literal(script.FileName) + ", "
        + Literal(script.Checksum) + ", "
        + Literal(installedBy + " (approved)") + ", 0, true)";

    /// <summary>A dollar-quoted literal whose tag does not occur in the value, so no escaping rule of the server matters.</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var n = 0;
        string tag;
        do
        {
            tag = "$r" + n.ToString(CultureInfo.InvariantCulture) + "$";
            n++;
        }
        while (value.Contains(tag, StringComparison.Ordinal) || value.EndsWith(tag[..^1], StringComparison.Ordinal));

        return tag + value + tag;
    }
}
