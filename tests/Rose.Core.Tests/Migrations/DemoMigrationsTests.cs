using Rose.Core.Migrations;
using Rose.Core.Demo;
using Rose.Core.Validation;

namespace Rose.Core.Tests.Migrations;

/// <summary>The demo target's shipped migrations folder, and what a first validation run adopts.</summary>
public sealed class DemoMigrationsTests
{
    [Fact]
    public void DemoScripts_AreAValidSet_WithVersionedUndoAndRepeatableFiles()
    {
        var set = MigrationSet.From(DemoMigrationsFolder.Scripts());

        Assert.Equal(["V1__create_product_reviews.sql", "V2__create_review_votes.sql"], set.Versioned.Select(s => s.FileName));
        Assert.All(set.Versioned, v => Assert.NotNull(set.UndoFor(v.Version!)));
        Assert.Equal(["R__seed_review_prompts.sql"], set.Repeatables.Select(s => s.FileName));
    }

    [Fact]
    public void Write_CreatesTheFolderOnce_AndRestoresAChangedFile()
    {
        var dataDir = Directory.CreateTempSubdirectory("rose-demo-migrations-").FullName;
        try
        {
            var folder = DemoMigrationsFolder.Write(dataDir);
            Assert.Equal(Path.Combine(dataDir, "demo-migrations"), folder);
            Assert.Equal(5, Directory.GetFiles(folder, "*.sql").Length);

            var v1 = Path.Combine(folder, "V1__create_product_reviews.sql");
            var original = File.ReadAllText(v1);
            File.WriteAllText(v1, "-- edited\n");
            Assert.Equal(folder, DemoMigrationsFolder.Write(dataDir));
            Assert.Equal(original, File.ReadAllText(v1));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public void FirstRunChecks_AdoptEverySuggestionButFreshness()
    {
        SuggestedCheck[] suggestions =
        [
            new(new CheckDefinition { Kind = CheckKinds.Duplicates, Table = "customers", Columns = ["email"] }, "looks unique"),
            new(new CheckDefinition { Kind = CheckKinds.Freshness, Table = "orders", Columns = ["ordered_at"], MaxAgeMinutes = 1440 }, "timestamp"),
            new(new CheckDefinition { Kind = CheckKinds.NotNull, Table = "customers", Columns = ["full_name"] }, "looks required"),
        ];

        Assert.Equal([CheckKinds.Duplicates, CheckKinds.NotNull], FirstRunChecks.Select(suggestions).Select(c => c.Kind));
    }
}
