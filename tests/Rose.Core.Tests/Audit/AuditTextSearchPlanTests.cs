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
        ("424", 5_000), ("242", 5_000), ("cus", 750_000), ("ust", 750_000), ("sto", 750_000), ("tom", 750_000), ("ome", 750_000), ("mer", 750_000),
        // Word edges, as the 1M-row benchmark's sample counted them: words starting with a digit are everywhere,
        // a word "42" or "17" (start and end trigram) is not.
        ("  4", 263_000), (" 42", 18_000), ("42 ", 17_000), ("  1", 548_000), (" 17", 52_000), ("17 ", 19_000),
        ("  e", 143_000), (" ev", 100_000), ("ts ", 176_000), ("  o", 750_000), (" or", 750_000), ("rs ", 750_000),
        ("  c", 750_000), (" cu", 750_000), ("er ", 750_000));

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
    [InlineData("customer")]     // every word frequent: a page is found within the walk
    [InlineData("17")]           // no word boundary shown and no word of three: the index has no trigram to use
    [InlineData("%_\\")]
    [InlineData("äöü")]          // not ASCII: no statistics kept for it
    public void Choose_NoRareWordAndNoCheapWindow_WalksFarThenAsksTheIndexForTheWholeTerm(string term) =>
        Assert.Equal(new AuditTextSearchPlan(AuditTextSearchPlan.CommonWalkWindow, null), AuditTextSearchPlan.Choose(term, Benchmark));

    [Theory]
    // 'events_42 ': "events" is in 10 % of rows, the word "42" in ~0.2 %; the term's two rarest trigrams
    // (" 42", "42 ") estimate 3.1e-4 of rows, so 1.5 x 51 / 3.1e-4 = 250,000 ids should hold a page. Inside
    // them the index is asked for "42 " alone: one short posting list, ~1.7 % of the window rechecked; the
    // word "42" with its start would decode "  4" (a quarter of all rows) for fewer rechecks.
    [InlineData("events_42 ", "42 ", 250_000)]
    [InlineData("orders_17 ", "17 ", 77_429)]
    public void Choose_FrequentWordAndShortWord_ProbesIdWindowsForTheCheapestPart(string term, string part, long window)
    {
        Assert.Equal(new AuditTextSearchPlan(AuditTextSearchPlan.RareWalkWindow, null, part, window), AuditTextSearchPlan.Choose(term, Benchmark));
    }

    [Fact]
    public void Choose_NonAsciiAfterTheWord_IsNotKeptAsItsEnd()
    {
        // pg_trgm counts "ö" as a letter, so "4242ö" has no word end after "4242".
        Assert.Equal("4242", AuditTextSearchPlan.Choose("4242ö", Benchmark).IndexTerm);
    }

    [Fact]
    public void TermGrams_AreTheLowerCasedSequencesOfEachWord_WithTheEdgesTheTermShows()
    {
        // "rt" ends at "-", "4242" sits between "-" and " ", "orders" between " " and "_", "17" starts after "_";
        // a word's start is shown only by a separator before it, its end only by one after it.
        Assert.Equal(["rt ", "424", "242", "  4", " 42", "42 ", "ord", "rde", "der", "ers", "  o", " or", "rs ", "  1", " 17"],
            AuditTextSearchPlan.TermGrams("RT-4242 ORDERS_17"));
        Assert.Equal(["ab ", "  1", " 17", "17 "], AuditTextSearchPlan.TermGrams("ab-17 ä"));
        Assert.Empty(AuditTextSearchPlan.TermGrams("17"));
    }
}
