using System.Globalization;
using System.Text;
using Rose.Core.Identity;
using Rose.Core.Sql;

namespace Rose.Core.Migrations;

/// <summary>
/// The SQL a parked migration run becomes: every pending migration's statements followed by its
/// history row, as one batch. The approval service later runs exactly this through the pipeline, so
/// the migrations and their history commit together (or not at all), and the partial unique index
/// on the history refuses a version that another runner applied meanwhile.
/// </summary>
public static class MigrationApprovalSql
{
    public static string ForApply(IReadOnlyList<(MigrationScript Script, SqlBatch Batch)> migrations, Executor executor)
    {
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentNullException.ThrowIfNull(executor);
        var sb = new StringBuilder();
        foreach (var (script, batch) in migrations)
        {
            sb.Append("-- migration ").Append(script.FileName.Replace('\n', ' ')).Append('\n');
            foreach (var statement in batch.Statements)
            {
                sb.Append(statement.Text).Append(";\n");
            }

            sb.Append(HistoryInsert(script, executor.Name)).Append(";\n\n");
        }

        return sb.ToString();
    }

    public static string ForUndo(IReadOnlyList<(MigrationScript Undo, SqlBatch Batch)> undos, Executor executor)
    {
        ArgumentNullException.ThrowIfNull(undos);
        ArgumentNullException.ThrowIfNull(executor);
        var sb = new StringBuilder();
        foreach (var (undo, batch) in undos)
        {
            sb.Append("-- undo ").Append(undo.FileName.Replace('\n', ' ')).Append('\n');
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
    /// The files a parked run holds, read back from its "-- migration"/"-- undo" marker lines, as
    /// "V2__x.sql" or "undo U2__x.sql". Only for naming the run (devlog titles): a statement whose own
    /// text holds a line just like a marker would be listed too, which names it and changes nothing run.
    /// </summary>
    public static IReadOnlyList<string> Files(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var files = new List<string>();
        foreach (var line in sql.Split('\n'))
        {
            if (line.StartsWith("-- migration ", StringComparison.Ordinal))
            {
                files.Add(line["-- migration ".Length..].Trim());
            }
            else if (line.StartsWith("-- undo ", StringComparison.Ordinal))
            {
                files.Add("undo " + line["-- undo ".Length..].Trim());
            }
        }

        return files;
    }

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
