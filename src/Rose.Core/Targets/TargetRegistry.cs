using System.Collections.Concurrent;
using Npgsql;

namespace Rose.Core.Targets;

/// <summary>
/// The databases Rose may run SQL on, each with one pooled NpgsqlDataSource (and one for its
/// read-only connection). The executor is the only caller that opens connections from here.
/// </summary>
public sealed class TargetRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RegisteredTarget> _targets = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<TargetDefinition> All =>
        [.. _targets.Values.Select(t => t.Definition).OrderBy(t => t.Name, StringComparer.Ordinal)];

    public bool TryGet(string name, out RegisteredTarget target)
    {
        if (_targets.TryGetValue(name, out var found))
        {
            target = found;
            return true;
        }

        target = null!;
        return false;
    }

    /// <summary>Adds or replaces a target; a replaced target's pools are disposed.</summary>
    public void Register(TargetDefinition definition)
    {
        var registered = new RegisteredTarget(definition);
        RegisteredTarget? old = null;
        _targets.AddOrUpdate(definition.Name, registered, (_, existing) =>
        {
            old = existing;
            return registered;
        });
        if (old is not null)
        {
            _ = old.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var target in _targets.Values)
        {
            await target.DisposeAsync();
        }

        _targets.Clear();
    }
}

/// <summary>A target with its connection pools; the pools are built and opened only by Execution (<see cref="TargetPools"/>).</summary>
public sealed class RegisteredTarget : IAsyncDisposable
{
    internal RegisteredTarget(TargetDefinition definition)
    {
        Definition = definition;
        var hasReadOnly = !string.IsNullOrWhiteSpace(definition.ReadOnlyConnectionString);
        var readsServer = hasReadOnly ? definition.ReadOnlyConnectionString! : definition.ConnectionString;
        var (reads, beside) = TargetPools.Budget(readsServer);
        ReadWrite = TargetPools.Build(definition.ConnectionString, definition.Name, hasReadOnly ? null : beside);
        ReadOnly = hasReadOnly ? TargetPools.Build(readsServer, definition.Name + ":ro", beside) : null;
        Reads = TargetPools.BuildReads(readsServer, definition.Name, definition.StatementTimeout, definition.LockTimeout, reads);
    }

    public TargetDefinition Definition { get; }

    internal NpgsqlDataSource ReadWrite { get; }

    internal NpgsqlDataSource? ReadOnly { get; }

    /// <summary>Plain reads under the target's limits, preset per session (<see cref="TargetPools.BuildReads"/>).</summary>
    internal NpgsqlDataSource Reads { get; }

    public async ValueTask DisposeAsync()
    {
        await ReadWrite.DisposeAsync();
        await Reads.DisposeAsync();
        if (ReadOnly is not null)
        {
            await ReadOnly.DisposeAsync();
        }
    }
}
