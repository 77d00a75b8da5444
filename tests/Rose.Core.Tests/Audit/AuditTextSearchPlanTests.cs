using Rose.Core.Audit;

namespace Rose.Core.Tests.Audit;

/// <summary>
/// Which plan the gram statistics choose for a term (the figures here are the 10M-row benchmark's shape:
/// "rt", "orders" and "events" are everywhere, digits sequences rare). Correctness does not depend on
/// the choice (every plan rechecks the whole term); these pin that the choice is the intended one.
/// </summary>
public sealed class AuditTextSearchPlanTests
{
    private static AuditTextGramStats Stats(params (string Gram, int PerMillion)[] grams) =>
        new(10_000, 10_000_000, grams.ToDictionary(g => g.Gram, g => g.PerMillion, StringComparer.Ordinal));

    private static readonly AuditTextGramStats Benchmark = Stats(
        ("ord", 750_000), ("rde", 750_000), ("der", 750_000), ("ers", 750_000),
        ("eve", 100_000), ("ven", 100_000), ("ent", 100_000), ("nts", 100_000),
        ("424", 5_000), ("242", 5_000), ("cus", 750_000), ("ust", 750_000), ("sto", 750_000), ("tom", 750_000), ("ome", 750_000), ("mer", 750_000));

    [Fact]
    public void Choose_WithoutStatistics_IsTheDefault()
    {
        Assert.Equal(AuditTextSearchPlan.Default, AuditTextSearchPlan.Choose("RT-4242 ", null));
        Assert.Equal(AuditTextSearchPlan.Default, AuditTextSearchPlan.Choose("RT-4242 ", new AuditTextGramStats(0, 0, new Dictionary<string, int>())));
    }

    [Fact]
    public void Choose_RareDigits_AsksTheIndexForThatWordAndItsEnd()
    {
        // "rt" is too short to have an inner trigram; "4242" is rare, and the space after it ends the word.
        Assert.Equal(new AuditTextSearchPlan(AuditTextSearchPlan.RareWalkWindow, "4242 "), AuditTextSearchPlan.Choose("RT-4242 ", Benchmark));
        Assert.Equal(new AuditTextSearchPlan(AuditTextSearchPlan.RareWalkWindow, "4242"), AuditTextSearchPlan.Choose("RT-4242", Benchmark));
    }

    [Fact]
    public void Choose_UnseenWord_IsRare()
    {
        // Sequences the sample never saw ("suc", "tex", ...) count as rarer than any it saw.
        var plan = AuditTextSearchPlan.Choose("no such text", Benchmark);
        Assert.Equal(AuditTextSearchPlan.RareWalkWindow, plan.WalkWindow);
        Assert.Equal("such ", plan.IndexTerm);
    }

    [Theory]
    [InlineData("orders_17 ")]   // every word frequent or too short
    [InlineData("events_42 ")]
    [InlineData("customer")]
    [InlineData("17")]           // no word of three: the index has no trigram to use
    [InlineData("%_\\")]
    [InlineData("äöü")]          // not ASCII: no statistics kept for it
    public void Choose_NoRareWord_WalksFarThenAsksTheIndexForTheWholeTerm(string term) =>
        Assert.Equal(new AuditTextSearchPlan(AuditTextSearchPlan.CommonWalkWindow, null), AuditTextSearchPlan.Choose(term, Benchmark));

    [Fact]
    public void Choose_NonAsciiAfterTheWord_IsNotKeptAsItsEnd()
    {
        // pg_trgm counts "ö" as a letter, so "4242ö" has no word end after "4242".
        Assert.Equal("4242", AuditTextSearchPlan.Choose("4242ö", Benchmark).IndexTerm);
    }

    [Fact]
    public void TermGrams_AreTheLowerCasedSequencesOfEachWordOfThree()
    {
        Assert.Equal(["424", "242", "ord", "rde", "der", "ers"], AuditTextSearchPlan.TermGrams("RT-4242 ORDERS_17"));
        Assert.Empty(AuditTextSearchPlan.TermGrams("ab-17 ä"));
    }
}
