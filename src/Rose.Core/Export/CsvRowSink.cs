using System.Buffers;

namespace Rose.Core.Export;

/// <summary>
/// Writes rows as CSV (<see cref="Csv"/>, NULL and '' told apart) straight to a stream as they come
/// off the server. Only a small char buffer is kept, so memory stays flat whatever the row count. One result set is written, since a CSV file has one
/// header: the one of statement <c>wanted</c> (its index in the batch), or the first one when that is null.
/// For a batch of one plain read the executor hands over PostgreSQL's own COPY CSV instead
/// (<see cref="ICsvCopySink"/>), converted byte for byte to the same format (<see cref="CsvCopyStream"/>);
/// <c>useCopy</c> false keeps every result on the value-by-value path.
/// </summary>
public sealed class CsvRowSink(Stream output, Func<CancellationToken, Task> onFirstResult, int? wanted = null, bool useCopy = true) : ICsvCopySink
{
    private const int FlushAt = 32 * 1024;
    private readonly StringBuilder buffer = new(FlushAt + 4096);
    private int? statementIndex;

    public long Rows { get; private set; }

    public bool Started => statementIndex is not null;

    public async ValueTask BeginResultAsync(int index, IReadOnlyList<ResultColumn> columns, CancellationToken ct)
    {
        if (statementIndex is not null || (wanted is not null && index != wanted))
        {
            return;
        }

        statementIndex = index;
        await onFirstResult(ct);
        AppendRow(columns.Select(c => c.Name).ToArray());
    }

    public bool WantsCopy(int statementIndex) => useCopy && this.statementIndex is null && (wanted is null || wanted == statementIndex);

    public async ValueTask<long> CopyCsvAsync(int statementIndex, Stream csv, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        // Started (the response is under way) once the first bytes arrive, as on the value-by-value path.
        Rows = await CsvCopyStream.ToCrlfAsync(csv, output, async c =>
        {
            this.statementIndex = statementIndex;
            await onFirstResult(c);
        }, ct);
        return Rows;
    }

    public async ValueTask WriteRowAsync(int index, string?[] values, CancellationToken ct)
    {
        if (index != statementIndex)
        {
            return;
        }

        AppendRow(values);
        Rows++;
        if (buffer.Length >= FlushAt)
        {
            await FlushAsync(ct);
        }
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(buffer.Length));
        try
        {
            var count = 0;
            foreach (var chunk in buffer.GetChunks())
            {
                count += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(count));
            }

            buffer.Clear();
            await output.WriteAsync(bytes.AsMemory(0, count), ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private void AppendRow(IReadOnlyList<string?> values) => Csv.AppendRow(buffer, values, CsvStyle.Results);
}
