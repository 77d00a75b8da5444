using Rose.Core.Policy;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// A finding of the recovery-path review, on the whole-text path: libpg_query reads strings with
/// standard_conforming_strings on and text as UTF-8, but a SET earlier in the batch can make the
/// server read the statements after it otherwise. Both batches below were run against PostgreSQL 15
/// (psql, simple and extended protocol): the "SELECT" deleted every row of t. A statement that
/// changes how later text is read is now UNPARSEABLE, so no policy allows it.
/// </summary>
public sealed class SessionSettingSmugglingTests
{
    private static readonly PgQueryClassifier Classifier = new();

    /// <summary>A policy that lets an agent read and tune its session (search_path, timeouts).</summary>
    private static readonly SqlPolicy SelectAndSet = new()
    {
        AllowedDatabases = ["app"],
        AllowedOperations = ["SELECT", "SET", "RESET"],
        RequiresApproval = [],
        Environment = "dev",
    };

    private static Decision Decide(string sql) => new PolicyEnforcer().Evaluate(SelectAndSet, "app", null, Classifier.Classify(sql)).Decision;

    [Fact]
    public void StandardConformingStringsOff_ThenBackslashQuote_DeleteIsNotAllowedAsASelect()
    {
        // With standard_conforming_strings off the server ends the string at \' and runs the DELETE
        // in the CTE; libpg_query reads one string up to the last quote and sees a SELECT of a constant.
        const string smuggled = "WITH a AS (SELECT 'x\\''), b AS (DELETE FROM t RETURNING 1) SELECT 1 --') SELECT 1";
        Assert.Equal(StatementKind.Read, Assert.Single(Classifier.Classify(smuggled).Statements).Kind);

        const string sql = "SET standard_conforming_strings = off;\n" + smuggled;
        var batch = Classifier.Classify(sql);
        Assert.False(batch.Statements[0].IsParsed);
        Assert.Contains("standard_conforming_strings", batch.Statements[0].Error!.Message, StringComparison.Ordinal);
        Assert.Equal(Decision.Deny, Decide(sql));
    }

    [Fact]
    public void ClientEncodingSjis_ThenMultibyteBackslash_DeleteIsNotAllowedAsASelect()
    {
        // "Õ" is C3 95 in UTF-8; read as SJIS, 95 5C is one character, so the backslash no longer
        // escapes the quote after it and the DELETE is code.
        const string sql = "SET client_encoding = 'SJIS';\nWITH a AS (SELECT E'Õ\\'), b AS (DELETE FROM t RETURNING 1) SELECT 1 --') SELECT 1";
        var batch = Classifier.Classify(sql);
        Assert.False(batch.Statements[0].IsParsed);
        Assert.Equal(Decision.Deny, Decide(sql));
    }

    [Theory]
    [InlineData("SET standard_conforming_strings = off")]
    [InlineData("SET standard_conforming_strings TO 'off'")]
    [InlineData("SET standard_conforming_strings = false")]
    [InlineData("SET standard_conforming_strings = 0")]
    [InlineData("SET standard_conforming_strings = of")]
    [InlineData("SET LOCAL standard_conforming_strings = off")]
    [InlineData("SET SESSION \"Standard_Conforming_Strings\" = off")]
    [InlineData("SET NAMES 'SJIS'")]
    [InlineData("SET client_encoding TO 'BIG5'")]
    [InlineData("SET client_encoding = GBK")]
    [InlineData("ALTER ROLE agent SET standard_conforming_strings = off")]
    [InlineData("ALTER ROLE agent IN DATABASE app SET client_encoding = 'SJIS'")]
    [InlineData("ALTER DATABASE app SET standard_conforming_strings = off")]
    [InlineData("ALTER SYSTEM SET standard_conforming_strings = off")]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1'")]
    public void Classify_SettingThatChangesHowTextIsRead_IsUnparseable(string sql)
    {
        var statement = Assert.Single(Classifier.Classify(sql).Statements);
        Assert.False(statement.IsParsed);
        Assert.Equal(SqlOperations.Unparseable, statement.Tag);
    }

    [Theory]
    [InlineData("SET standard_conforming_strings = on", "SET")]
    [InlineData("SET standard_conforming_strings TO 'on'", "SET")]
    [InlineData("SET LOCAL standard_conforming_strings = true", "SET")]
    [InlineData("SET standard_conforming_strings TO DEFAULT", "SET")]
    [InlineData("RESET standard_conforming_strings", "RESET")]
    [InlineData("RESET ALL", "RESET")]
    [InlineData("SET client_encoding = 'UTF8'", "SET")]
    [InlineData("SET NAMES 'utf-8'", "SET")]
    [InlineData("SET client_encoding TO unicode", "SET")]
    [InlineData("SET NAMES DEFAULT", "SET")]
    [InlineData("SET search_path = app, public", "SET")]
    [InlineData("ALTER ROLE agent SET search_path = app", "ALTER ROLE")]
    public void Classify_HarmlessSetting_StaysAnOrdinarySet(string sql, string tag)
    {
        var statement = Assert.Single(Classifier.Classify(sql).Statements);
        Assert.True(statement.IsParsed, statement.Error?.Message);
        Assert.Equal(tag, statement.Tag);
    }

    [Fact]
    public void Classify_SettingOnTheRecoveryPath_IsUnparseableThere()
    {
        var batch = Classifier.Classify("SELEC 1; SET standard_conforming_strings = off; SELECT 1");
        Assert.Equal(["UNPARSEABLE", "UNPARSEABLE", "SELECT"], batch.Statements.Select(s => s.Tag));
    }
}
