using System.Security.Cryptography;

namespace Rose.Core.Embedded;

/// <summary>Where the cluster's files live and which OS account owns and runs them.</summary>
internal sealed record ClusterLocation(string DataDir, string ClusterDir, string? OsUser)
{
    /// <summary>The superuser password, readable only by the account running Rose.</summary>
    public string PasswordFile => Path.Combine(DataDir, "superuser.password");

    /// <summary>Points at the cluster when it had to live outside DataDir (see ResolveAsync).</summary>
    public string PointerFile => Path.Combine(DataDir, "pgdata.location");

    public string LogFile => Path.Combine(ClusterDir, "rose-server.log");

    public string PidFile => Path.Combine(ClusterDir, "postmaster.pid");

    public bool IsInitialized => File.Exists(Path.Combine(ClusterDir, "PG_VERSION"));

    /// <summary>Where clusters go when running as root and DataDir is unreachable for the server account.</summary>
    public const string FallbackRoot = "/var/lib/rose/clusters";

    /// <summary>
    /// PostgreSQL refuses to run as root, so as root the server runs as an unprivileged account which must be
    /// able to traverse every ancestor of its data directory. The default DataDir (~/.local/share/rose) sits
    /// under /root (mode 700): grant that account traverse-only rights with setfacl, and when setfacl is
    /// missing put the cluster under /var/lib/rose/clusters/&lt;hash of DataDir&gt; and record that in
    /// DataDir/pgdata.location so later starts find the same cluster.
    /// </summary>
    public static async Task<ClusterLocation> ResolveAsync(
        string dataDir, string osUserWhenRoot, ILogger logger, CancellationToken ct)
    {
        dataDir = ExpandHome(dataDir);
        CreatePrivateDirectory(dataDir);
        var local = Path.Combine(dataDir, "pgdata");
        if (!OsProcess.IsRoot)
        {
            return new ClusterLocation(dataDir, local, null);
        }

        if (!await OsProcess.UserExistsAsync(osUserWhenRoot, ct))
        {
            throw new InvalidOperationException(
                $"Rose runs as root and PostgreSQL refuses to; the OS user '{osUserWhenRoot}' that should run the " +
                "server does not exist. Install the Debian package 'postgresql' (it creates that user) or run Rose as a normal user.");
        }

        var pointer = Path.Combine(dataDir, "pgdata.location");
        if (File.Exists(pointer))
        {
            var recorded = (await File.ReadAllTextAsync(pointer, ct)).Trim();
            if (recorded.Length > 0 && File.Exists(Path.Combine(recorded, "PG_VERSION")))
            {
                return new ClusterLocation(dataDir, recorded, osUserWhenRoot);
            }
        }

        if (await EnsureTraversableAsync(dataDir, osUserWhenRoot, logger, ct))
        {
            return new ClusterLocation(dataDir, local, osUserWhenRoot);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDir)))[..12];
        var fallback = Path.Combine(FallbackRoot, hash, "pgdata");
        Directory.CreateDirectory(Path.GetDirectoryName(fallback)!);
        if (!await OsProcess.CanUserEnterAsync(osUserWhenRoot, Path.GetDirectoryName(fallback)!, ct))
        {
            throw new InvalidOperationException(
                $"The OS user '{osUserWhenRoot}' can reach neither '{dataDir}' nor the fallback '{fallback}'. " +
                "Install the Debian package 'acl' (setfacl), or set Rose:DataDir to a folder that user can traverse (e.g. under /var/lib).");
        }
        await File.WriteAllTextAsync(pointer, fallback + "\n", ct);
        logger.LogWarning(
            "Rose runs as root and the OS user {OsUser} cannot traverse {DataDir}, and setfacl is not available (Debian package 'acl'). " +
            "The PostgreSQL cluster lives in {ClusterDir} instead (recorded in {PointerFile}).",
            osUserWhenRoot, dataDir, fallback, pointer);
        return new ClusterLocation(dataDir, fallback, osUserWhenRoot);
    }

    /// <summary>Makes DataDir enterable by the server account, granting only traverse (x) rights where missing.</summary>
    private static async Task<bool> EnsureTraversableAsync(string dataDir, string user, ILogger logger, CancellationToken ct)
    {
        if (await OsProcess.CanUserEnterAsync(user, dataDir, ct))
        {
            return true;
        }
        var setfacl = OsProcess.FindOnPath("setfacl");
        if (setfacl is null)
        {
            return false;
        }
        // Walk from the root down so each test sees the grants already made above it.
        var chain = new List<string>();
        for (var dir = new DirectoryInfo(dataDir); dir is not null; dir = dir.Parent)
        {
            chain.Add(dir.FullName);
        }
        chain.Reverse();
        foreach (var dir in chain)
        {
            if (await OsProcess.CanUserEnterAsync(user, dir, ct))
            {
                continue;
            }
            var result = await OsProcess.RunAsync(setfacl, ["-m", $"u:{user}:x", dir], null, TimeSpan.FromSeconds(10), ct);
            if (!result.Succeeded)
            {
                logger.LogWarning("setfacl could not grant {OsUser} traverse rights on {Dir}: {Error}", user, dir, result.Output);
                return false;
            }
            logger.LogInformation("Granted OS user {OsUser} traverse-only (x) rights on {Dir} so PostgreSQL can reach its data directory", user, dir);
        }
        return await OsProcess.CanUserEnterAsync(user, dataDir, ct);
    }

    /// <summary>
    /// Rose's data directory holds the superuser password: only its owner may list it. As root the server
    /// account must still pass through it to reach pgdata, so others get traverse (x) only; the password
    /// file itself is 0600.
    /// </summary>
    private static void CreatePrivateDirectory(string dir)
    {
        if (Directory.Exists(dir))
        {
            return;
        }
        Directory.CreateDirectory(dir);
        if (!OperatingSystem.IsWindows())
        {
            var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            if (OsProcess.IsRoot)
            {
                mode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            }
            File.SetUnixFileMode(dir, mode);
        }
    }

    public static string ExpandHome(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            path = home + path[1..];
        }
        return Path.GetFullPath(path);
    }
}
