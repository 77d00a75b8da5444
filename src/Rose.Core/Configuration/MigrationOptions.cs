namespace Rose.Core.Configuration;

/// <summary>Rose:Migrations: how the migration runner behaves on every target.</summary>
public sealed class MigrationOptions
{
    /// <summary>From this many estimated rows (pg_class.reltuples) a table counts as big for lint.</summary>
    public long BigTableRows { get; set; } = 100_000;

    /// <summary>statement_timeout of a migration run; DDL and backfills outlast the interactive default.</summary>
    public int StatementTimeoutSeconds { get; set; } = 600;

    /// <summary>How long a runner waits for another runner's advisory lock before giving up.</summary>
    public int LockWaitSeconds { get; set; } = 120;

    /// <summary>Take a pg_dump --schema-only snapshot before applying; a failed snapshot stops the apply.</summary>
    public bool Snapshot { get; set; } = true;

    /// <summary>Folder of pg_dump; empty = next to the embedded cluster's programs, else PATH and /usr/lib/postgresql/N/bin.</summary>
    public string? PgDumpPath { get; set; }

    /// <summary>
    /// Where the reversibility check creates its scratch databases (needs CREATEDB). Empty = the
    /// target's own server with the target's credentials. The database named in it is only used to
    /// connect; scratch databases are named rose_scratch_*.
    /// </summary>
    public string? ScratchConnectionString { get; set; }

    /// <summary>Rose:Migrations:DataSnapshots: retention of data snapshots (pg_dump with data).</summary>
    public Undo.DataSnapshotOptions DataSnapshots { get; set; } = new();
}
