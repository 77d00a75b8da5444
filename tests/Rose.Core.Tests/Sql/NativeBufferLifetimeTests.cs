using System.Reflection;
using System.Text.Json;
using Rose.Core.Sql;
using Rose.Core.Sql.Native;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// The JSON tree is read straight from libpg_query's buffer (LibPgQuery.ParseInPlace), which is
/// freed when the callback returns. Nothing read from it may outlive the callback, a throwing
/// callback must still free it and leave the library usable, and concurrent calls must not share it.
/// </summary>
public sealed class NativeBufferLifetimeTests
{
    private static readonly PgQueryClassifier Classifier = new();

    /// <summary>
    /// What the classifier keeps of a tree is SqlStatement and SqlParseError: every member of them is a
    /// value or a managed string (or a list of strings), so no JsonElement, JsonDocument or
    /// Memory over the native buffer can be held past the callback.
    /// </summary>
    [Fact]
    public void ClassifierResults_HoldOnlyManagedCopies()
    {
        var allowed = new[] { typeof(int), typeof(int?), typeof(bool), typeof(string), typeof(StatementKind), typeof(IReadOnlyList<string>), typeof(SqlParseError) };
        foreach (var type in new[] { typeof(SqlStatement), typeof(SqlParseError) })
        {
            // EqualityContract is the record's own Type, not data.
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
            {
                Assert.True(allowed.Contains(property.PropertyType), $"{type.Name}.{property.Name} is a {property.PropertyType}");
            }

            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            {
                Assert.True(allowed.Contains(field.FieldType), $"{type.Name}.{field.Name} is a {field.FieldType}");
            }
        }

        // And the lists are real lists of strings, not lazy views over a document.
        var statement = Classifier.Classify("SELECT a FROM s.t; DELETE FROM u").Statements[0];
        Assert.IsType<List<string>>(statement.Operations);
        Assert.IsType<List<string>>(statement.Objects);
    }

    /// <summary>
    /// A JsonDocument built over the native buffer the way AddParsed builds it, and disposed inside
    /// the callback the same way: an element that escaped anyway throws when used, rather than read
    /// freed memory.
    /// </summary>
    [Fact]
    public void ParseInPlace_ElementThatEscapesTheCallback_ThrowsInsteadOfReadingFreedMemory()
    {
        JsonElement escaped = default;
        var error = LibPgQuery.ParseInPlace("SELECT 1 FROM t\0"u8, 0, (_, json) =>
        {
            using var document = JsonDocument.Parse(json);
            escaped = document.RootElement;
            Assert.True(escaped.TryGetProperty("stmts"u8, out JsonElement _));
        });

        Assert.Null(error);
        Assert.Throws<ObjectDisposedException>(() => escaped.TryGetProperty("stmts"u8, out JsonElement _));
    }

    [Fact]
    public void ParseInPlace_CallbackThrows_ExceptionPropagatesAndTheLibraryStillParses()
    {
        for (var i = 0; i < 200; i++)
        {
            Assert.Throws<InvalidOperationException>(() =>
                LibPgQuery.ParseInPlace("SELECT 1\0"u8, 0, static (_, _) => throw new InvalidOperationException("reader failed")));
        }

        var batch = Classifier.Classify("SELECT 1; DELETE FROM t");
        Assert.Equal(["SELECT", "DELETE"], batch.Statements.Select(s => s.Tag));
    }

    [Fact]
    public void ParseInPlace_ParseError_CallbackNeverRuns()
    {
        var called = false;
        var error = LibPgQuery.ParseInPlace("SELEC 1\0"u8, 0, (_, _) => called = true);
        Assert.NotNull(error);
        Assert.False(called);
    }

    [Fact]
    public void ParseInPlace_InputWithoutNul_Refused()
    {
        Assert.Throws<ArgumentException>(() => LibPgQuery.ParseInPlace("SELECT 1"u8, 0, static (_, _) => { }));
    }

    /// <summary>
    /// Scripts classified on three threads at once (the whole-text path and the recovery path's runs,
    /// each reading its own native buffer, sharing the property-name table) give exactly what they give
    /// one at a time.
    /// </summary>
    [Fact]
    public void Classify_ConcurrentThreads_SameAsSequential()
    {
        var scripts = CorpusLocator.SqlFiles().Take(60).Select(File.ReadAllText).ToList();
        var expected = scripts.Select(s => BatchRecoveryAdversarialTests.Facts(Classifier.Classify(s))).ToList();
        Assert.Contains(scripts, s => !Classifier.Classify(s).AllParsed);

        var results = new List<string>[3][];
        var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            // Each thread goes through the scripts in its own order.
            var order = Enumerable.Range(0, scripts.Count).Select(i => (i + (t * 17)) % scripts.Count).ToList();
            var mine = new List<string>[scripts.Count];
            foreach (var i in order)
            {
                mine[i] = BatchRecoveryAdversarialTests.Facts(Classifier.Classify(scripts[i]));
            }

            results[t] = mine;
        }, maxStackSize: 16 * 1024 * 1024)).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        foreach (var result in results)
        {
            for (var i = 0; i < scripts.Count; i++)
            {
                Assert.Equal(expected[i], result[i]);
            }
        }
    }
}
