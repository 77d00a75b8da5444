namespace Rose.Core.Embedded;

/// <summary>Where and how the private PostgreSQL cluster of the embedded default runs.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>Rose's data directory; the cluster lives in DataDir/pgdata (see <see cref="EmbeddedPostgres.ClusterDirectory"/>).</summary>
    public required string DataDir { get; init; }

    /// <summary>Folder holding initdb, pg_ctl and postgres; null = discover (ROSE_PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin).</summary>
    public string? BinDir { get; init; }

    /// <summary>TCP port on 127.0.0.1; 0 = pick a free port at each start.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Turn off fsync, synchronous_commit and full_page_writes. Only for throwaway test clusters:
    /// a crash can corrupt a cluster running this way.
    /// </summary>
    public bool UnsafeNoFsync { get; init; }

    /// <summary>Name of the cluster's superuser role.</summary>
    public string Superuser { get; init; } = "rose";

    /// <summary>The unprivileged OS account the server runs as when Rose itself runs as root.</summary>
    public string OsUserWhenRoot { get; init; } = "postgres";

    /// <summary>How long to wait for the server to accept connections.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra server settings passed as -c name=value at each start (e.g. max_connections).</summary>
    public IReadOnlyDictionary<string, string> ServerSettings { get; init; } = new Dictionary<string, string>();
}
