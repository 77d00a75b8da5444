namespace Rose.Core.Audit;

/// <summary>
/// How one newest-first text search runs: how many ids below the page start it walks by primary key
/// before it asks the trigram index, and what it asks the index for (null: the whole term). Whatever the
/// plan, every row returned passes the whole term's test, so a plan changes speed, never results.
/// </summary>
internal sealed record AuditTextSearchPlan(int WalkWindow, string? IndexTerm)
{
    /// <summary>Without statistics: today's walk, then the index asked for the whole term.</summary>
    public static AuditTextSearchPlan Default { get; } = new(AuditSql.DefaultTextWalkWindow, null);

    /// <summary>A term with a rare word: a short walk (a page of it is unlikely near the top), then the index for that word.</summary>
    public const int RareWalkWindow = 2_000;

    /// <summary>
    /// A term without one: this many ids are walked first (~0.5 us a row, ~5 ms). A frequent term fills its page
    /// there or in the walk on (AuditSql: four times as far when this window held a fifth of a page); a less
    /// frequent one then asks the tier indexes for the whole term, whose posting lists are a tier's size
    /// (<see cref="AuditTextTiers"/>), newest tier first.
    /// </summary>
    public const int CommonWalkWindow = 10_000;

    /// <summary>
    /// Estimated candidate rows at or below which the index is asked for the rare word: the bitmap
    /// heap scan rechecks each candidate at a random place in the table, a few microseconds each.
    /// </summary>
    public const double RareCandidates = 20_000;

    /// <summary>
    /// Chooses the plan for a term from the gram statistics (null: none yet). Candidates for the index are
    /// the term's runs of ASCII letters and digits of three or more: pg_trgm indexes such a run's inner
    /// trigrams, which are exactly the run's three-character sequences, so the sampled frequencies of
    /// those sequences estimate what the index returns for it. A run's estimate multiplies its two
    /// rarest sequences' frequencies. The chosen run keeps the character after it when that ends a word
    /// (pg_trgm then adds the selective word-end trigram); the one before is left out, as word-start
    /// trigrams ("  4") are among the most frequent.
    /// </summary>
    public static AuditTextSearchPlan Choose(string term, AuditTextGramStats? stats)
    {
        ArgumentNullException.ThrowIfNull(term);
        if (stats is null || stats.SampledRows <= 0)
        {
            return Default;
        }

        // An unseen sequence is rarer than one in the sample; half a row stands in for it.
        var floor = 0.5 / stats.SampledRows;
        double Frequency(string gram) => stats.PerMillion.TryGetValue(gram, out var pm) ? Math.Max(pm / 1e6, floor) : floor;

        (int Start, int Length)? best = null;
        var bestScore = double.MaxValue;
        foreach (var (start, length) in Runs(term))
        {
            var rarest = Grams(term.Substring(start, length)).Select(Frequency).Order().Take(2).ToList();
            var score = rarest.Count == 1 ? rarest[0] : rarest[0] * rarest[1];
            if (score < bestScore)
            {
                (best, bestScore) = ((start, length), score);
            }
        }

        if (best is not { } run || bestScore * Math.Max(stats.TotalRows, stats.SampledRows) > RareCandidates)
        {
            return new(CommonWalkWindow, null);
        }

        var end = run.Start + run.Length;
        var keepsWordEnd = end < term.Length && char.IsAscii(term[end]);
        return new(RareWalkWindow, term.Substring(run.Start, run.Length + (keepsWordEnd ? 1 : 0)));
    }

    /// <summary>Every distinct three-character sequence of the term's runs, lower-cased (ASCII): what the statistics are looked up by.</summary>
    public static IReadOnlyList<string> TermGrams(string term) =>
        [.. Runs(term).SelectMany(r => Grams(term.Substring(r.Start, r.Length))).Distinct(StringComparer.Ordinal)];

    private static IEnumerable<string> Grams(string run)
    {
        for (var i = 0; i + 3 <= run.Length; i++)
        {
            yield return run.Substring(i, 3).ToLowerInvariant();
        }
    }

    /// <summary>Maximal runs of ASCII letters and digits, three or more long.</summary>
    private static IEnumerable<(int Start, int Length)> Runs(string term)
    {
        var i = 0;
        while (i < term.Length)
        {
            if (!char.IsAsciiLetterOrDigit(term[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < term.Length && char.IsAsciiLetterOrDigit(term[i]))
            {
                i++;
            }

            if (i - start >= 3)
            {
                yield return (start, i - start);
            }
        }
    }
}
