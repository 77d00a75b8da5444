namespace Rose.Core.Audit;

/// <summary>
/// How one newest-first text search runs: how many ids below the page start it walks by primary key,
/// then (optionally) which part of the term the trigram index is asked for inside two id windows below
/// the walk (<see cref="WindowTerm"/>, <see cref="FirstWindow"/>), and what it asks the index for below
/// those (<see cref="IndexTerm"/>, null: the whole term). Whatever the plan, every row returned passes
/// the whole term's test, so a plan changes speed, never results.
/// </summary>
internal sealed record AuditTextSearchPlan(int WalkWindow, string? IndexTerm, string? WindowTerm = null, long FirstWindow = 0)
{
    /// <summary>Without statistics: today's walk, then the index asked for the whole term.</summary>
    public static AuditTextSearchPlan Default { get; } = new(AuditSql.DefaultTextWalkWindow, null);

    /// <summary>A term with a rare word: a short walk (a page of it is unlikely near the top), then the index for that word.</summary>
    public const int RareWalkWindow = 2_000;

    /// <summary>
    /// A term without one, and no part cheap to probe in id windows: the index would decode posting lists
    /// of millions of rows, so the walk goes far (the folded LIKE costs ~0.7 us a row) before the index is
    /// asked for the whole term.
    /// </summary>
    public const int CommonWalkWindow = 200_000;

    /// <summary>
    /// Estimated candidate rows at or below which the index is asked for the rare word: the bitmap
    /// heap scan rechecks each candidate at a random place in the table, a few microseconds each.
    /// </summary>
    public const double RareCandidates = 20_000;

    /// <summary>The second id window is this many times the first (a term rarer than estimated still fills its page).</summary>
    public const int WindowGrowth = 4;

    /// <summary>Rows a newest-first page asks for (50 and the "is there more" row).</summary>
    public const int PageRows = 51;

    // Relative costs (microseconds on 2 cores, data cached) behind the choice between walking ids and probing
    // id windows: decoding one GIN posting item, rechecking one candidate row at a random heap place, putting
    // one id of a window into the primary key's bitmap, and walking one row by primary key with the folded
    // LIKE. Rough figures from the benchmark's EXPLAIN ANALYZE runs (bench/README.md, "Audit free-text
    // search"); under load the bitmap of a window's ids cost a third to a sixth of walking them.
    private const double DecodeCost = 0.01;
    private const double RecheckCost = 2.0;
    private const double RangeCost = 0.15;
    private const double WalkCost = 0.6;

    /// <summary>The first window holds about this many times the ids a page of estimated matches needs.</summary>
    private const double WindowMargin = 1.5;

    private const long MinFirstWindow = 10_000;
    private const long MaxFirstWindow = 2_000_000;

    /// <summary>
    /// Chooses the plan for a term from the gram statistics (null: none yet).
    /// <para>A rare word: candidates are the term's runs of ASCII letters and digits of three or more, whose
    /// inner trigrams pg_trgm indexes; a run's estimate multiplies its two rarest sequences' frequencies. The
    /// chosen run keeps the character after it when that ends a word (pg_trgm then adds the word-end
    /// trigram); the one before is left out, as word-start trigrams ("  4") are among the most frequent.</para>
    /// <para>No rare word (a frequent word and a short one, like 'events_42 '): the matches are still
    /// estimated from the whole term's two rarest trigrams, word-boundary ones included (" 42", "42 "), which
    /// sizes an id window that should hold a page of them. Inside that window (and one
    /// <see cref="WindowGrowth"/> times wider below it) the index is asked for the part of the term that is
    /// cheapest there: decoding its posting lists costs the same whatever the window, while its candidates
    /// are rechecked only inside the window (the GIN bitmap ANDed with the primary key's id range). That is
    /// chosen when it is estimated cheaper than walking the window; below the windows the index is asked
    /// for the whole term as before.</para>
    /// </summary>
    public static AuditTextSearchPlan Choose(string term, AuditTextGramStats? stats)
    {
        ArgumentNullException.ThrowIfNull(term);
        if (stats is null || stats.SampledRows <= 0)
        {
            return Default;
        }

        var rows = Math.Max(stats.TotalRows, stats.SampledRows);
        // An unseen sequence is rarer than one in the sample; half a row stands in for it.
        var floor = 0.5 / stats.SampledRows;
        double Frequency(string gram) => stats.PerMillion.TryGetValue(gram, out var pm) ? Math.Max(pm / 1e6, floor) : floor;
        double Candidates(IEnumerable<string> grams)
        {
            var rarest = grams.Select(Frequency).Order().Take(2).ToList();
            return rarest.Count switch { 0 => 1.0, 1 => rarest[0], _ => rarest[0] * rarest[1] };
        }

        (int Start, int Length)? best = null;
        var bestScore = double.MaxValue;
        foreach (var (start, length) in Runs(term, 3))
        {
            var score = Candidates(InnerGrams(term.Substring(start, length)));
            if (score < bestScore)
            {
                (best, bestScore) = ((start, length), score);
            }
        }

        if (best is { } run && bestScore * rows <= RareCandidates)
        {
            var end = run.Start + run.Length;
            var keepsWordEnd = end < term.Length && IsSeparator(term[end]);
            return new(RareWalkWindow, term.Substring(run.Start, run.Length + (keepsWordEnd ? 1 : 0)));
        }

        return Windowed(term, rows, Frequency, Candidates) ?? new(CommonWalkWindow, null);
    }

    /// <summary>The windowed plan when probing windows is estimated cheaper than walking them; otherwise null.</summary>
    private static AuditTextSearchPlan? Windowed(string term, double rows, Func<string, double> frequency, Func<IEnumerable<string>, double> candidates)
    {
        var parts = Parts(term).ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        var matches = Math.Max(candidates(parts.SelectMany(p => p.Grams).Distinct(StringComparer.Ordinal)), 1.0 / rows);
        var window = (long)Math.Clamp(Math.Round(WindowMargin * PageRows / matches), MinFirstWindow, MaxFirstWindow);
        var (part, cost) = parts
            .Select(p => (p.Text, Cost: rows * p.Grams.Sum(frequency) * DecodeCost + window * candidates(p.Grams) * RecheckCost))
            .MinBy(p => p.Cost);
        // Walking stops at a page of matches, about the window without its margin.
        return cost + window * RangeCost < window / WindowMargin * WalkCost ? new(RareWalkWindow, null, part, window) : null;
    }

    /// <summary>
    /// Every distinct trigram the statistics are looked up by: the inner three-character sequences of each
    /// run of ASCII letters and digits, and the word-start and word-end trigrams pg_trgm adds where the term
    /// itself shows the word's boundary (a separator before or after it), lower-cased.
    /// </summary>
    public static IReadOnlyList<string> TermGrams(string term) =>
        [.. Parts(term).SelectMany(p => p.Grams).Concat(Runs(term, 3).SelectMany(r => InnerGrams(term.Substring(r.Start, r.Length))))
            .Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The parts of a term the index could be asked for in a window: each run of ASCII letters and digits,
    /// with the separator before it and/or after it when the term has one there, and the trigrams pg_trgm
    /// extracts from LIKE '%part%' (a word is padded with two spaces before it only when a separator
    /// precedes it in the pattern, and one space after it only when one follows). Parts without a trigram are left out.
    /// </summary>
    private static IEnumerable<(string Text, IReadOnlyList<string> Grams)> Parts(string term)
    {
        foreach (var (start, length) in Runs(term, 1))
        {
            var word = term.Substring(start, length).ToLowerInvariant();
            var before = start > 0 && IsSeparator(term[start - 1]);
            var after = start + length < term.Length && IsSeparator(term[start + length]);
            foreach (var (left, right) in new[] { (false, false), (before, false), (false, after), (before, after) }.Distinct())
            {
                var padded = (left ? "  " : string.Empty) + word + (right ? " " : string.Empty);
                var grams = Enumerable.Range(0, Math.Max(0, padded.Length - 2)).Select(i => padded.Substring(i, 3)).Distinct(StringComparer.Ordinal).ToList();
                if (grams.Count > 0)
                {
                    yield return (term.Substring(start - (left ? 1 : 0), length + (left ? 1 : 0) + (right ? 1 : 0)), grams);
                }
            }
        }
    }

    private static IEnumerable<string> InnerGrams(string run)
    {
        for (var i = 0; i + 3 <= run.Length; i++)
        {
            yield return run.Substring(i, 3).ToLowerInvariant();
        }
    }

    /// <summary>A character pg_trgm splits words at, known without the database's locale: ASCII, not a letter or digit.</summary>
    private static bool IsSeparator(char c) => char.IsAscii(c) && !char.IsAsciiLetterOrDigit(c);

    /// <summary>Maximal runs of ASCII letters and digits, at least minLength long.</summary>
    private static IEnumerable<(int Start, int Length)> Runs(string term, int minLength)
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

            if (i - start >= minLength)
            {
                yield return (start, i - start);
            }
        }
    }
}
