using System.Collections.Concurrent;

namespace Rose.Core.Undo;

/// <summary>
/// What one snapshot or restore run has done so far, as a copy a page or the API can show: tables whose
/// data pg_dump or pg_restore reported (--verbose) against the tables the snapshot holds. Counted from the
/// tools' own lines, so it moves when they move; it says nothing about bytes or time left.
/// </summary>
public sealed record DataSnapshotJob(
    long Id,
    string Database,
    string Kind,
    string? Snapshot,
    DateTimeOffset StartedAt,
    string State,
    int TablesDone,
    int TablesTotal,
    string? CurrentTable,
    DateTimeOffset? FinishedAt,
    string? Error);

/// <summary>
/// The snapshot and restore runs of this console instance, running and the last few finished, per
/// target. In memory only: a run's durable record is its audit row; this is its progress while it runs.
/// </summary>
internal sealed class DataSnapshotJobs
{
    private const int FinishedKept = 20;
    private long nextId;
    private readonly ConcurrentDictionary<long, Job> jobs = new();

    public Job Start(string database, string kind, string? snapshot)
    {
        var job = new Job(Interlocked.Increment(ref nextId), database, kind, snapshot, DateTimeOffset.UtcNow);
        jobs[job.Id] = job;
        foreach (var old in jobs.Values.Where(j => j.Finished).OrderByDescending(j => j.Id).Skip(FinishedKept))
        {
            jobs.TryRemove(old.Id, out _);
        }

        return job;
    }

    /// <summary>The target's runs, newest first.</summary>
    public IReadOnlyList<DataSnapshotJob> List(string database) =>
        [.. jobs.Values.Where(j => string.Equals(j.Database, database, StringComparison.Ordinal)).OrderByDescending(j => j.Id).Select(j => j.State())];

    /// <summary>One run; updated by the run's own thread and by the tool's output reader, read by anyone.</summary>
    internal sealed class Job(long id, string database, string kind, string? snapshot, DateTimeOffset startedAt)
    {
        private readonly Lock gate = new();
        private int done;
        private int total;
        private string? current;
        private string? snapshotName = snapshot;
        private string state = "running";
        private string? error;
        private DateTimeOffset? finishedAt;

        public long Id { get; } = id;

        public string Database { get; } = database;

        public bool Finished
        {
            get
            {
                lock (gate)
                {
                    return finishedAt is not null;
                }
            }
        }

        public void Expect(int tables, string? name = null)
        {
            lock (gate)
            {
                total = tables;
                snapshotName = name ?? snapshotName;
            }
        }

        /// <summary>A line of pg_dump or pg_restore --verbose: a table's data started counts as one table done before it.</summary>
        public void Observe(string line)
        {
            var table = TableOf(line);
            if (table is null)
            {
                return;
            }

            lock (gate)
            {
                done = Math.Min(done + (current is null ? 0 : 1), Math.Max(total, 0));
                current = table;
            }
        }

        public void Finish(string? failure)
        {
            lock (gate)
            {
                // The table in progress ended with the run; the count stays what the tool reported, not what was expected.
                if (failure is null && current is not null)
                {
                    done = Math.Min(done + 1, Math.Max(total, 0));
                }

                current = null;
                state = failure is null ? "succeeded" : "failed";
                error = failure;
                finishedAt = DateTimeOffset.UtcNow;
            }
        }

        public DataSnapshotJob State()
        {
            lock (gate)
            {
                return new DataSnapshotJob(Id, Database, kind, snapshotName, startedAt, state, done, total, current, finishedAt, error);
            }
        }

        /// <summary>The table a verbose line starts on: pg_dump "dumping contents of table", pg_restore "processing data for table".</summary>
        internal static string? TableOf(string line)
        {
            foreach (var marker in new[] { "dumping contents of table ", "processing data for table " })
            {
                var at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    return line[(at + marker.Length)..].Trim().Trim('"');
                }
            }

            return null;
        }
    }
}
