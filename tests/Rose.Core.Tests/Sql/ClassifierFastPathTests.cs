using System.Text.Json;
using Rose.Core.Sql;
using Rose.Core.Sql.Classification;
using Rose.Core.Sql.Native;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// The classifier's faster paths (tokens decoded in place, JSON read from libpg_query's own buffer,
/// shared property names, byte-level keyword checks) give exactly what the plain paths give.
/// </summary>
public sealed class ClassifierFastPathTests
{
    private static readonly PgQueryClassifier Classifier = new();

    [Fact]
    public void DecodeArray_RealScan_SameTokensAsDecode()
    {
        LibPgQuery.EnsureLoaded();
        var text = new Utf8Text("SELECT 'é;x', $$a;b$$ /* c */ FROM \"Tä\" -- end\n; DELETE FROM t WHERE a = E'\\n' ;");
        var scan = LibPgQuery.Scan(text.Bytes);
        Assert.Null(scan.Error);
        var (tokens, error) = LibPgQuery.ScanToTokens(text.Bytes);
        Assert.Null(error);
        Assert.Equal(ScanTokens.Decode(scan.Protobuf).ToArray(), tokens);
        Assert.Equal(ScanTokens.DecodeArray(scan.Protobuf), tokens);
        Assert.True(tokens!.Length > 10);
    }

    [Fact]
    public void Decode_UnknownLengthDelimitedFieldBeforeTokens_SkippedWhole()
    {
        // version = 1 (varint), an unknown field 7 (length 3, bytes that would read as a token
        // field if the length prefix were skipped wrongly), then one token {start 0, end 6, token 258}.
        byte[] scan =
        [
            0x08, 0x01,
            0x3A, 0x03, 0x12, 0x01, 0x08,
            0x12, 0x07, 0x08, 0x00, 0x10, 0x06, 0x20, 0x82, 0x02,
        ];
        var expected = new ScanToken(0, 6, 258, 0);
        Assert.Equal([expected], ScanTokens.Decode(scan));
        Assert.Equal([expected], ScanTokens.DecodeArray(scan));
    }

    [Fact]
    public void DecodeArray_TruncatedMessage_Throws()
    {
        byte[] scan = [0x12, 0x07, 0x08, 0x00, 0x10];
        Assert.ThrowsAny<Exception>(() => ScanTokens.DecodeArray(scan));
    }

    [Fact]
    public void PropertyNames_Of_EqualsJsonPropertyName_ForPlainEscapedAndNonAsciiNames()
    {
        const string json = """{"relname":1,"rel\u006eame":2,"é":3,"a\\b":4,"SelectStmt":5,"relname":6}""";
        for (var round = 0; round < 2; round++)
        {
            using var document = JsonDocument.Parse(json);
            var names = document.RootElement.EnumerateObject().Select(p => (PropertyNames.Of(p), p.Name)).ToList();
            Assert.All(names, pair => Assert.Equal(pair.Name, pair.Item1));
            Assert.Equal(["relname", "relname", "é", "a\\b", "SelectStmt", "relname"], names.Select(n => n.Item1));
        }
    }

    [Fact]
    public void PropertyNames_IsPlainAscii_RefusesEscapesAndNonAscii()
    {
        Assert.True(PropertyNames.IsPlainAscii("relname"u8));
        Assert.False(PropertyNames.IsPlainAscii("rel\\u006eame"u8));
        Assert.False(PropertyNames.IsPlainAscii("\u00e9"u8));
    }

    [Theory]
    [InlineData("begin atomic")]
    [InlineData("Begin Atomic")]
    [InlineData("BEGIN ATOMIC")]
    public void Classify_AtomicBodyInAnyCase_OnRecoveryPath_StaysOneStatement(string beginAtomic)
    {
        var batch = Classifier.Classify(
            $"SELEC 1; create function f() returns int language sql {beginAtomic} select 1; select case when true then 1 End; end; delete from t");
        Assert.Equal(["UNPARSEABLE", "CREATE FUNCTION", "DELETE"], batch.Statements.Select(s => s.Tag));
    }

    [Fact]
    public void Classify_NonAsciiLookalikeOfAtomic_IsNotTheKeyword()
    {
        // "atomıc" (dotless i, which upper-cases to I) is an identifier, not ATOMIC: the semicolon
        // after "begin atomıc" still ends the piece, so the DROP is a statement of its own.
        var batch = Classifier.Classify("SELEC 1; SELECT 1 AS begin atomıc; DROP TABLE t");
        Assert.Equal(["UNPARSEABLE", "UNPARSEABLE", "DROP TABLE"], batch.Statements.Select(s => s.Tag));
    }

    [Fact]
    public void Classify_LargeBatch_EveryStatementClassified()
    {
        // A parse tree of several megabytes read in place from libpg_query's buffer.
        var sql = string.Join(";\n", Enumerable.Range(0, 3000).Select(i =>
            i % 3 == 0 ? $"SELECT a{i}, pg_sleep(0) FROM s.t{i} WHERE b = 'é{i}'" : i % 3 == 1 ? $"DELETE FROM t{i}" : $"UPDATE u SET a = {i} WHERE id = {i}"));
        var batch = Classifier.Classify(sql);
        Assert.Equal(3000, batch.Statements.Count);
        Assert.All(batch.Statements, s => Assert.True(s.IsParsed));
        Assert.Equal(["SELECT", "FUNCTION pg_sleep"], batch.Statements[0].Operations);
        Assert.Equal(["s.t2997"], batch.Statements[2997].Objects);
        Assert.True(batch.Statements[1].UnfilteredDml);
        Assert.False(batch.Statements[2].UnfilteredDml);
    }
}
