using System.Text;
using Rose.Core.Export;

namespace Rose.Core.Tests.Export;

/// <summary>The one CSV writer in both of its styles: the same fields, written for query results and for the audit export.</summary>
public sealed class CsvTests
{
    private static readonly string?[] Fields = ["plain", null, "", "a,b", "say \"hi\"", "=1+1", "two\r\nlines"];

    [Fact]
    public void AppendRow_Results_KeepsNullApartFromEmptyAndValuesAsTheyAre()
    {
        var line = new StringBuilder();
        Csv.AppendRow(line, Fields, CsvStyle.Results);
        Assert.Equal("plain,,\"\",\"a,b\",\"say \"\"hi\"\"\",=1+1,\"two\r\nlines\"\r\n", line.ToString());
    }

    [Fact]
    public void AppendRow_Audit_DefusesFormulasAndWritesEmptyUnquoted()
    {
        var line = new StringBuilder();
        Csv.AppendRow(line, Fields, CsvStyle.Audit);
        Assert.Equal("plain,,,\"a,b\",\"say \"\"hi\"\"\",'=1+1,\"two\r\nlines\"\r\n", line.ToString());
    }

    [Theory]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("a=b", "a=b")]
    public void AppendField_Audit_PrefixesWhatASpreadsheetWouldRun(string value, string expected)
    {
        var line = new StringBuilder();
        Csv.AppendField(line, value, CsvStyle.Audit);
        Assert.Equal(expected, line.ToString());
    }
}
