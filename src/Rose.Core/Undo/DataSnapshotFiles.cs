namespace Rose.Core.Undo;

/// <summary>
/// Where data snapshots live: Rose:DataDir/snapshots/&lt;target&gt;/data/&lt;name&gt;.dump, each beside a
/// &lt;name&gt;.json manifest holding its checksums. The manifest is written last (and renamed into
/// place), so a snapshot is listed only once its dump is whole. Names are Rose's own timestamps and
/// are looked up only among the listed files, so a name from a request cannot reach another path.
/// </summary>
internal sealed class DataSnapshotFiles(string dataDir)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Folder(string database) => Path.Combine(dataDir, "snapshots", Sanitise(database), "data");

    public string DumpPath(string database, string name) => Path.Combine(Folder(database), name + ".dump");

    public IReadOnlyList<DataSnapshot> List(string database)
    {
        var folder = Folder(database);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var list = new List<DataSnapshot>();
        foreach (var manifest in new DirectoryInfo(folder).GetFiles("*.json").OrderByDescending(f => f.Name, StringComparer.Ordinal))
        {
            var snapshot = Read(manifest.FullName);
            if (snapshot is not null && File.Exists(DumpPath(database, snapshot.Name)))
            {
                list.Add(snapshot);
            }
        }

        return list;
    }

    public DataSnapshot? Find(string database, string name) =>
        List(database).FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    public async Task WriteManifestAsync(DataSnapshot snapshot, CancellationToken ct)
    {
        var path = Path.Combine(Folder(snapshot.Database), snapshot.Name + ".json");
        var temp = path + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(snapshot, Json), ct);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Deletes a snapshot: the manifest first, so it stops being listed before its dump goes.</summary>
    public void Delete(string database, string name)
    {
        File.Delete(Path.Combine(Folder(database), name + ".json"));
        File.Delete(DumpPath(database, name));
    }

    /// <summary>Removes what a failed snapshot left (a partial dump, a manifest not yet renamed).</summary>
    public void Discard(string database, string name)
    {
        foreach (var path in new[] { DumpPath(database, name), Path.Combine(Folder(database), name + ".json.tmp") })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // Nothing is listed without its manifest, so a leftover file is only wasted space.
            }
        }
    }

    private static DataSnapshot? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DataSnapshot>(File.ReadAllText(path), Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            // A damaged manifest is not a snapshot Rose can vouch for; it is left out of the list.
            return null;
        }
    }

    internal static string Sanitise(string name) =>
        new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}
