namespace Rose.Core.Approvals;

/// <summary>
/// The table lock PostgreSQL takes for a command (PostgreSQL documentation, "Explicit Locking",
/// table-level lock modes). Forms of ALTER TABLE differ; the strongest common one is shown.
/// </summary>
public static class LockLevels
{
    public static string For(string tag, bool concurrently) => tag switch
    {
        "SELECT" => "ACCESS SHARE",
        "LOCK ROWS" or "SELECT FOR UPDATE" or "SELECT FOR SHARE" => "ROW SHARE",
        "INSERT" or "UPDATE" or "DELETE" or "MERGE" or "COPY" => "ROW EXCLUSIVE",
        "CREATE INDEX" => concurrently ? "SHARE UPDATE EXCLUSIVE" : "SHARE (blocks writes for the whole build)",
        "DROP INDEX" => concurrently ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE",
        "VACUUM" or "ANALYZE" or "COMMENT" => "SHARE UPDATE EXCLUSIVE",
        "CREATE TRIGGER" => "SHARE ROW EXCLUSIVE",
        "REFRESH MATERIALIZED VIEW" => concurrently ? "EXCLUSIVE" : "ACCESS EXCLUSIVE",
        "CREATE TABLE" or "CREATE TABLE AS" or "CREATE VIEW" or "CREATE SCHEMA" or "CREATE SEQUENCE" or "CREATE FUNCTION" => "none on existing tables",
        _ when tag.StartsWith("DROP ", StringComparison.Ordinal) => "ACCESS EXCLUSIVE",
        _ when tag.StartsWith("TRUNCATE", StringComparison.Ordinal) => "ACCESS EXCLUSIVE",
        _ when tag.StartsWith("ALTER ", StringComparison.Ordinal) => "ACCESS EXCLUSIVE (most forms)",
        _ => "see PostgreSQL documentation",
    };
}
