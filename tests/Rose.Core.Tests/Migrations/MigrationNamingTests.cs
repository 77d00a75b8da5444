using Rose.Core.Migrations;

namespace Rose.Core.Tests.Migrations;

public sealed class MigrationNamingTests
{
    [Theory]
    [InlineData("V1__init.sql", MigrationType.Versioned, "1", "init")]
    [InlineData("V1.1__add_users.sql", MigrationType.Versioned, "1.1", "add users")]
    [InlineData("V2024.05.01__x.sql", MigrationType.Versioned, "2024.05.01", "x")]
    [InlineData("V1_2__underscore_version.sql", MigrationType.Versioned, "1.2", "underscore version")]
    [InlineData("U3__undo.sql", MigrationType.Undo, "3", "undo")]
    [InlineData("R__views.sql", MigrationType.Repeatable, null, "views")]
    public void TryCreate_FlywayName_Parses(string name, MigrationType type, string? version, string description)
    {
        Assert.True(MigrationNaming.TryCreate(name, "SELECT 1", out var script, out _));
        Assert.Equal(type, script.Type);
        Assert.Equal(version, script.Version?.Text);
        Assert.Equal(description, script.Description);
    }

    [Theory]
    [InlineData("V1_init.sql")]
    [InlineData("init.sql")]
    [InlineData("Vx__a.sql")]
    [InlineData("V1__a.txt")]
    public void TryCreate_BadName_Refused(string name) =>
        Assert.False(MigrationNaming.TryCreate(name, "", out _, out _));

    [Theory]
    [InlineData("1", "2", -1)]
    [InlineData("1.10", "1.9", 1)]
    [InlineData("1", "1.0", 0)]
    [InlineData("2024.05.01", "2024.5.1", 0)]
    [InlineData("1.1", "1", 1)]
    public void CompareTo_PartsNumerically(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(MigrationVersion.Parse(a).CompareTo(MigrationVersion.Parse(b))));

    [Fact]
    public void From_DuplicateVersion_Refused() =>
        Assert.Throws<MigrationException>(() => MigrationSet.From([("V1__a.sql", "x"), ("V1.0__b.sql", "y")]));

    [Fact]
    public void Checksum_IgnoresLineEndings() =>
        Assert.Equal(MigrationScript.ComputeChecksum("a\nb"), MigrationScript.ComputeChecksum("a\r\nb"));
}
