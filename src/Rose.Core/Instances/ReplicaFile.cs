using System.Text.Json.Serialization;

namespace Rose.Core.Instances;

/// <summary>What a replica needs from the embedded console it joins: the control role's connection and the targets.</summary>
public sealed class ReplicaSettings
{
    public required string ControlConnection { get; init; }

    public Dictionary<string, TargetOptions> Targets { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// replica.json in the embedded console's data dir (mode 0600: it holds passwords). The embedded default
/// rewrites it at every start; a console started with Rose:ReplicaOf=&lt;that data dir&gt; reads it instead of
/// starting its own cluster. Nothing in it is ever logged.
/// </summary>
public static class ReplicaFile
{
    public const string FileName = "replica.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    public static void Write(string dataDir, string controlConnection, IEnumerable<TargetDefinition> targets)
    {
        var settings = new ReplicaSettings { ControlConnection = controlConnection };
        foreach (var t in targets)
        {
            settings.Targets[t.Name] = new TargetOptions
            {
                ConnectionString = t.ConnectionString,
                ReadOnlyConnectionString = t.ReadOnlyConnectionString,
                Environment = t.Environment.ToString().ToLowerInvariant(),
                StatementTimeoutSeconds = (int)t.StatementTimeout.TotalSeconds,
                LockTimeoutSeconds = (int)t.LockTimeout.TotalSeconds,
                MaxRows = t.MaxRows,
                MigrationsPath = t.MigrationsPath,
            };
        }

        // Written to a private temporary file and renamed, so a replica never reads half a file and the
        // secrets are never readable by others, not even for a moment.
        var path = PathIn(dataDir);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        // A leftover temporary file keeps its old mode on FileMode.Create: start from none.
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, settings, Json);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Fills the control connection and the targets the configuration does not name from the replica file.</summary>
    /// <exception cref="InvalidOperationException">The file is missing or unreadable, or Rose:ControlConnection is also set; the message names the key.</exception>
    public static void Apply(RoseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ReplicaOf))
        {
            return;
        }

        if (!string.IsNullOrWhiteSpace(options.ControlConnection))
        {
            throw new InvalidOperationException("Rose:ReplicaOf and Rose:ControlConnection are both set: a replica takes its control database from the console it joins; set only one.");
        }

        var settings = Read(options.ReplicaOf);
        options.ControlConnection = settings.ControlConnection;
        foreach (var (name, target) in settings.Targets)
        {
            options.Targets.TryAdd(name, target);
        }
    }

    private static ReplicaSettings Read(string dataDir)
    {
        var path = PathIn(dataDir);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Rose:ReplicaOf is '{dataDir}', but {path} does not exist: start the first console (embedded default) with that data dir first, " +
                "and run the replica as the same OS user (the file is readable by its owner only).");
        }

        try
        {
            var settings = JsonSerializer.Deserialize<ReplicaSettings>(File.ReadAllText(path), Json);
            if (settings is null || string.IsNullOrWhiteSpace(settings.ControlConnection))
            {
                throw new InvalidOperationException($"Rose:ReplicaOf: {path} holds no control connection; restart the first console to rewrite it.");
            }

            return settings;
        }
        catch (JsonException ex)
        {
            // The parser's message may quote the file's text (passwords): only its position is reported.
            throw new InvalidOperationException($"Rose:ReplicaOf: {path} is not a replica file (invalid JSON at line {ex.LineNumber + 1}); restart the first console to rewrite it.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Rose:ReplicaOf: {path} cannot be read by this user; run the replica as the OS user of the first console.");
        }
    }
}
