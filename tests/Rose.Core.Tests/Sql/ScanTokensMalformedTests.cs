using System.Reflection;
using Rose.Core.Sql.Native;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// libpg_query's protobuf scan output is decoded in place (ScanTokens). A malformed length or
/// varint must never make the decoder read outside the buffer or silently return tokens that do not
/// account for the batch: it either throws, or gives tokens the coverage check then refuses.
/// </summary>
public sealed class ScanTokensMalformedTests
{
    private const string Sql = "SELECT 'é;x', $$a;b$$ /* c */ FROM \"Tä\" -- end\n; DELETE FROM t WHERE a = E'\\n' ; SELECT U&'d\\0061t' UESCAPE '\\'";

    private static readonly Type[] DecodeFailures =
        [typeof(FormatException), typeof(OverflowException), typeof(ArgumentOutOfRangeException), typeof(IndexOutOfRangeException)];

    private static byte[] RealScan()
    {
        var scan = LibPgQuery.Scan(new Utf8Text(Sql).Bytes);
        Assert.Null(scan.Error);
        return scan.Protobuf!;
    }

    private static (string? Failure, ScanToken[]? Tokens) Outcome(Func<ScanToken[]> decode)
    {
        try
        {
            return (null, decode());
        }
        catch (Exception e)
        {
            Assert.Contains(e.GetType(), DecodeFailures);
            return (e.GetType().Name, null);
        }
    }

    /// <summary>
    /// Thousands of byte flips, truncations and oversized varints of a real scan result: Decode and
    /// DecodeArray agree (the same tokens, or both fail with a bounds or format error; managed spans
    /// make an out-of-range read an exception, never a read).
    /// </summary>
    [Fact]
    public void Decode_MutatedScanResults_AgreeOrFailCleanly()
    {
        var original = RealScan();
        var random = new Random(20261202);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = original.ToArray();
            switch (i % 4)
            {
                case 0:
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes = bytes[..random.Next(bytes.Length)];
                    break;
                case 2:
                    // A length or varint of 5 bytes with its high bits set (lengths past int.MaxValue or negative after a cast).
                    var at = random.Next(bytes.Length);
                    bytes = [.. bytes[..at], 0xFF, 0xFF, 0xFF, 0xFF, (byte)random.Next(1, 128), .. bytes[at..]];
                    break;
                default:
                    for (var k = 0; k < 4; k++)
                    {
                        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    break;
            }

            var list = Outcome(() => ScanTokens.Decode(bytes).ToArray());
            var array = Outcome(() => ScanTokens.DecodeArray(bytes));
            Assert.Equal(list.Failure, array.Failure);
            Assert.Equal(list.Tokens, array.Tokens);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })] // token field, length 2^32-1
    [InlineData(new byte[] { 0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x08 })] // token field, length int.MaxValue, one byte present
    [InlineData(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x12, 0x00 })] // unknown field, length int.MaxValue
    [InlineData(new byte[] { 0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 })] // varint longer than 64 bits
    [InlineData(new byte[] { 0x12, 0x03, 0x08, 0x80 })] // token message cut inside a varint
    [InlineData(new byte[] { 0x0B })] // wire type 3 (group), unsupported
    public void Decode_MalformedLengthsAndVarints_Throw(byte[] bytes)
    {
        Assert.NotNull(Outcome(() => ScanTokens.Decode(bytes).ToArray()).Failure);
        Assert.NotNull(Outcome(() => ScanTokens.DecodeArray(bytes)).Failure);
    }

    /// <summary>
    /// A fixed-width field cut short ends the walk early without an exception, so tokens can go missing;
    /// this is where the classifier's coverage check stands: every token missing, cut or moved makes
    /// it refuse the batch (the classifier then returns it whole as UNPARSEABLE).
    /// </summary>
    [Fact]
    public void CoverageCheck_TokensMissingOrWrong_Refused()
    {
        var text = new Utf8Text(Sql);
        var (batch, error) = BatchTokens.Scan(text);
        Assert.Null(error);
        var tokens = batch!.Tokens;

        // The statements as the classifier found them (ASCII up to the first non-ASCII byte does not
        // matter: spans are byte ranges of the same batch).
        var spans = new List<(int Start, int End)>();
        foreach (var (start, end) in StatementSplitter.Split(batch))
        {
            if (batch.Trim(start, end) is { } span)
            {
                spans.Add(span);
            }
        }

        Assert.Null(batch.CoverageProblem(spans));

        var constructor = typeof(BatchTokens).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [typeof(Utf8Text), typeof(ScanToken[])])!;
        BatchTokens With(ScanToken[] changed) => (BatchTokens)constructor.Invoke([text, changed]);

        for (var i = 0; i < tokens.Length; i++)
        {
            var without = tokens.Where((_, k) => k != i).ToArray();
            Assert.NotNull(With(without).CoverageProblem(spans));
            Assert.NotNull(With(tokens[..i]).CoverageProblem(spans));

            var shortened = tokens.ToArray();
            shortened[i] = shortened[i] with { End = shortened[i].End - 1 };
            if (shortened[i].End > shortened[i].Start)
            {
                Assert.NotNull(With(shortened).CoverageProblem(spans));
            }

            var past = tokens.ToArray();
            past[i] = past[i] with { End = text.ByteLength + 1 };
            Assert.NotNull(With(past).CoverageProblem(spans));
        }
    }
}
