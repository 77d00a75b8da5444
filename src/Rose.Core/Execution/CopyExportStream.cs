using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// The COPY ... TO STDOUT stream as the CSV sink reads it: the first read waits asynchronously (that is
/// where a slow query keeps the client waiting), every later read is synchronous. Why: Npgsql returns at
/// most one row (one CopyData message) per read, and its async read arms and disarms a timeout token
/// source and hops threads per buffer fill; at millions of rows that cost the console twice the CPU of
/// the same COPY read synchronously (bench/csv-export.sh, "client CPU"), most of it thread-pool workers
/// spinning between hand-offs. Once rows flow they arrive faster than they are written, so a synchronous
/// read rarely waits; when it does (a query that produces rows slowly) it blocks one pool thread, and a
/// cancelled request still stops it: the registration sends the server a cancel request, the read returns
/// with the server's error.
/// </summary>
internal sealed class CopyExportStream(NpgsqlRawCopyStream copy) : Stream
{
    private bool started;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (started)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return copy.Read(buffer.Span);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.QueryCanceled && cancellationToken.IsCancellationRequested)
            {
                // Our own cancel request (CancelOn) ended the read: report it as the cancellation it is.
                throw new OperationCanceledException("The export was cancelled; the server query was cancelled too.", ex, cancellationToken);
            }
        }

        started = true;
        return await copy.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => copy.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => copy.Read(buffer);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Stops the COPY at the server when <paramref name="ct"/> fires, so a synchronous read waiting for rows returns.</summary>
    public CancellationTokenRegistration CancelOn(CancellationToken ct) => ct.Register(() =>
    {
        try
        {
            copy.Cancel();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or NpgsqlException or InvalidOperationException)
        {
            // The COPY ended before the cancel: nothing is left to stop.
        }
    });
}
