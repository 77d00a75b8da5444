namespace Rose.Core.Execution;

/// <summary>
/// A row sink that can take a whole result as PostgreSQL's own CSV (COPY ... TO STDOUT WITH (FORMAT csv,
/// HEADER)) instead of value by value. The executor uses it only for a batch of one plain read (a
/// SELECT), inside the same READ ONLY transaction, with the same limits, after the same audit attempt;
/// any other batch goes through <see cref="IRowSink"/> as before.
/// </summary>
public interface ICsvCopySink : IRowSink
{
    /// <summary>Whether this sink takes statement <paramref name="statementIndex"/>'s rows as COPY output.</summary>
    bool WantsCopy(int statementIndex);

    /// <summary>Writes the COPY output (header line first) read from <paramref name="csv"/>; returns the number of data rows.</summary>
    ValueTask<long> CopyCsvAsync(int statementIndex, Stream csv, CancellationToken ct);
}
