using System.Text;
using Rose.Core.Export;

namespace Rose.Core.Tests.Export;

/// <summary>PostgreSQL's COPY CSV (records end in LF) becomes Rose's CSV (records end in CRLF), whatever the chunking.</summary>
public sealed class CsvCopyStreamTests
{
    // As COPY writes it: header, a quoted LF and CRLF inside fields, doubled quotes, an empty string ("") and a NULL (nothing).
    private const string Copy = "id,note,x\n1,\"two\nlines\",\"say \"\"hi\"\"\"\n2,\"\",\n3,\"cr\r\nlf\",\"a,b\"\n";
    private const string Rose = "id,note,x\r\n1,\"two\nlines\",\"say \"\"hi\"\"\"\r\n2,\"\",\r\n3,\"cr\r\nlf\",\"a,b\"\r\n";

    [Fact]
    public async Task ToCrlfAsync_EndsRecordsInCrlf_KeepsLineBreaksInsideFields_CountsDataRows()
    {
        using var output = new MemoryStream();
        var started = 0;
        var rows = await CsvCopyStream.ToCrlfAsync(new MemoryStream(Encoding.UTF8.GetBytes(Copy)), output, _ =>
        {
            started++;
            Assert.Equal(0, output.Length); // called before anything is written
            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(Rose, Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(3, rows);
        Assert.Equal(1, started);
    }

    [Fact]
    public async Task ToCrlfAsync_SourceGivingOneByteAtATime_GivesTheSameBytes()
    {
        using var output = new MemoryStream();
        var rows = await CsvCopyStream.ToCrlfAsync(new Trickle(Encoding.UTF8.GetBytes(Copy)), output, _ => Task.CompletedTask, CancellationToken.None);

        Assert.Equal(Rose, Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(3, rows);
    }

    [Fact]
    public void Convert_AnySplitIntoChunks_GivesTheSameBytes()
    {
        var input = Encoding.UTF8.GetBytes(Copy);
        for (var cut = 0; cut <= input.Length; cut++)
        {
            var state = new CsvCopyStream.State();
            var output = new byte[2 * input.Length];
            var n = CsvCopyStream.Convert(input.AsSpan(0, cut), output, ref state);
            n += CsvCopyStream.Convert(input.AsSpan(cut), output.AsSpan(n), ref state);
            Assert.Equal(Rose, Encoding.UTF8.GetString(output, 0, n));
            Assert.Equal(4, state.Records);
        }
    }

    [Fact]
    public void AppendRow_LoneEndOfDataMarker_IsQuotedAsCopyDoes()
    {
        var line = new StringBuilder();
        Csv.AppendRow(line, [@"\."], CsvStyle.Results);
        Csv.AppendRow(line, [@"\.", "x"], CsvStyle.Results);
        Assert.Equal("\"\\.\"\r\n\\.,x\r\n", line.ToString());
    }

    /// <summary>Like the COPY stream, returns less than asked for: here one byte per read.</summary>
    private sealed class Trickle(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
