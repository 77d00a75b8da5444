namespace Rose.Core.Embedded;

/// <summary>Finds the PostgreSQL server programs the embedded cluster runs.</summary>
internal static class PostgresBinaries
{
    private static readonly string[] RequiredPrograms = ["initdb", "pg_ctl", "postgres"];

    /// <summary>
    /// The folder holding initdb, pg_ctl and postgres: the configured one, else ROSE_PG_BIN, else
    /// `pg_config --bindir`, else the highest /usr/lib/postgresql/N/bin (Debian's layout).
    /// </summary>
    public static async Task<string> ResolveAsync(string? configured, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Validate(configured, "the BinDir option");
        }
        var fromEnv = Environment.GetEnvironmentVariable("ROSE_PG_BIN");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return Validate(fromEnv, "the ROSE_PG_BIN environment variable");
        }
        if (OsProcess.FindOnPath("pg_config") is { } pgConfig)
        {
            var result = await OsProcess.RunAsync(pgConfig, ["--bindir"], null, TimeSpan.FromSeconds(10), ct);
            var dir = result.StdOut.Trim();
            if (result.Succeeded && HasAll(dir))
            {
                return dir;
            }
        }
        // pg_config may come from libpq-dev without the server; Debian installs servers side by side.
        var root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: ParseVersion(Path.GetFileName(d))))
                .Where(x => x.Version > 0 && HasAll(x.Dir))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Dir is not null)
            {
                return best.Dir;
            }
        }
        throw new InvalidOperationException(
            "No PostgreSQL server programs (initdb, pg_ctl, postgres) were found. Install the Debian package " +
            "'postgresql' (apt-get install postgresql), or set ROSE_PG_BIN to the folder holding them, " +
            "or configure Rose:ControlConnection to use an existing server.");
    }

    private static string Validate(string dir, string source)
    {
        if (!HasAll(dir))
        {
            var missing = RequiredPrograms.Where(p => !File.Exists(Path.Combine(dir, p)));
            throw new InvalidOperationException(
                $"The PostgreSQL bin folder '{dir}' from {source} lacks {string.Join(", ", missing)}. " +
                "Point it at the folder of the server programs (Debian package 'postgresql': /usr/lib/postgresql/<version>/bin).");
        }
        return dir;
    }

    private static bool HasAll(string dir) =>
        dir.Length > 0 && RequiredPrograms.All(p => File.Exists(Path.Combine(dir, p)));

    private static double ParseVersion(string name) =>
        double.TryParse(name, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
