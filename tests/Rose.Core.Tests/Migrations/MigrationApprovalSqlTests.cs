using Rose.Core.Identity;
using Rose.Core.Migrations;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Migrations;

/// <summary>The parked run's SQL names its files, so an approved run's devlog can say what it applied.</summary>
public sealed class MigrationApprovalSqlTests
{
    private static readonly PgQueryClassifier Classifier = new();
    private static readonly Actor Alice = new("alice", "Alice", ActorKind.Human, "dev");

    private static List<(MigrationScript Script, SqlBatch Batch)> Scripts(params (string Name, string Sql)[] files) =>
        [.. MigrationSet.From(files).Scripts.Select(s => (s, Classifier.Classify(s.Sql)))];

    [Fact]
    public void Files_ForApply_ListsEachMigrationInOrder()
    {
        var sql = MigrationApprovalSql.ForApply(Scripts(("V1__a.sql", "CREATE TABLE a (id int)"), ("V2__b.sql", "DROP TABLE a")), Alice);

        Assert.Equal(["V1__a.sql", "V2__b.sql"], MigrationApprovalSql.Files(sql));
    }

    [Fact]
    public void Files_ForUndo_MarksUndoFiles()
    {
        var sql = MigrationApprovalSql.ForUndo(Scripts(("U2__b.sql", "DROP TABLE b")), Alice);

        Assert.Equal(["undo U2__b.sql"], MigrationApprovalSql.Files(sql));
    }

    [Fact]
    public void Files_PlainSql_IsEmpty() =>
        Assert.Empty(MigrationApprovalSql.Files("--\n-- PostgreSQL database dump\n--\nCREATE TABLE a (id int);"));

    [Fact]
    public void Files_MarkerLineInsideAString_IsNotAFile()
    {
        var sql = MigrationApprovalSql.ForApply(Scripts(("V1__a.sql", "SELECT $x$\n-- migration V9__fake.sql\n$x$")), Alice);

        Assert.Equal(["V1__a.sql"], MigrationApprovalSql.Files(sql));
    }

    /// <summary>PostgreSQL ends a "--" comment at a carriage return too: a file name cannot end its marker comment.</summary>
    [Fact]
    public void ForApply_FileNameWithCarriageReturn_StaysInsideTheMarkerComment()
    {
        var sql = MigrationApprovalSql.ForApply(Scripts(("V1__a\rDROP TABLE customers; --.sql", "CREATE TABLE a (id int)")), Alice);

        var tags = Classifier.Classify(sql).Statements.Select(s => s.Tag).ToList();
        Assert.Equal(["CREATE TABLE", "INSERT"], tags);
    }

    [Theory]
    [InlineData("rose_schema_history", true)]
    [InlineData("public.rose_schema_history", true)]
    [InlineData("\"rose_schema_history\"", true)]
    [InlineData("rose_schema_history_old", false)]
    [InlineData("orders", false)]
    public void IsHistoryTable_ByBareName(string name, bool expected) =>
        Assert.Equal(expected, SchemaHistory.IsHistoryTable(name));
}
