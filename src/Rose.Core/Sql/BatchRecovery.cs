using System.Buffers;
using Rose.Core.Sql.Native;

namespace Rose.Core.Sql;

/// <summary>
/// The recovery path of <see cref="PgQueryClassifier"/> for a batch that does not parse as a whole:
/// it is cut into pieces at top-level semicolons (<see cref="StatementSplitter"/>) and the result is
/// what parsing every piece alone gives, so an unreadable statement becomes UNPARSEABLE on its own
/// while its neighbours keep their classification.
///
/// One libpg_query call per piece made this path several times slower per statement than a whole
/// parse (each call sets up the parser and prints a tree of its own), and most statements of scripts
/// with a psql meta-command or a typo take it. So runs of pieces are parsed together, and a run's
/// statements are kept only when they are provably those of its pieces parsed alone: the run parsed,
/// and its statements fall inside the pieces exactly, the first of each piece starting at the
/// piece's first token and the last ending at its last one. PostgreSQL's grammar has no conflicts
/// and its top level is statements separated by semicolons, so a piece whose tokens are whole
/// statements of the run parses alone into those same statements (the token after a piece, ";" or
/// the end of the input, changes no token before it). Anything else is parsed piece by piece, as
/// before. The piece where a run fails (the error cursor tells which) is always parsed alone, so its
/// error message and position are exactly the piece's own. After a failure, runs grow with what
/// parsed since it (see InRuns), so that many failures in a long batch do not cost quadratic time.
/// </summary>
internal sealed class BatchRecovery
{
    private readonly List<SqlStatement> statements;
    private readonly List<(int Start, int End)> spans;
    private readonly BatchTokens batch;
    private readonly List<(int Start, int End)> pieces;
    private long bytesParsed;

    /// <summary>How many bytes a run after a failure may hold beyond those that parsed since (see InRuns).</summary>
    internal const int MinRunBytes = 4096;

    private BatchRecovery(List<SqlStatement> statements, List<(int Start, int End)> spans, BatchTokens batch)
    {
        this.statements = statements;
        this.spans = spans;
        this.batch = batch;
        pieces = StatementSplitter.Split(batch);
    }

    /// <summary>What became of a run of pieces parsed together.</summary>
    private enum RunOutcome
    {
        /// <summary>Its statements were added (or, for a run of one piece, the piece was handled alone).</summary>
        Taken,

        /// <summary>It did not parse; nothing was added.</summary>
        Failed,

        /// <summary>It parsed but its statements did not fall inside the pieces exactly; nothing was added.</summary>
        Misaligned,
    }

    /// <summary>
    /// Adds the statements of a batch whose whole parse failed with <paramref name="wholeError"/>.
    /// With <paramref name="inRuns"/> false every piece is parsed alone (the reference the runs are
    /// tested against). Returns how many bytes were handed to libpg_query, which tests hold to a
    /// small multiple of the batch's length.
    /// </summary>
    public static long Classify(List<SqlStatement> statements, List<(int Start, int End)> spans, BatchTokens batch, NativeParseError wholeError, bool inRuns)
    {
        var recovery = new BatchRecovery(statements, spans, batch);
        if (inRuns)
        {
            recovery.InRuns(wholeError);
        }
        else
        {
            recovery.OneByOne(0, recovery.pieces.Count);
        }

        return recovery.bytesParsed;
    }

    private void InRuns(NativeParseError wholeError)
    {
        var count = pieces.Count;
        if (count == 0)
        {
            return;
        }

        var first = 0;
        var to = count;
        var error = wholeError; // the pieces [first, to) failed together with this error
        while (true)
        {
            var failing = PieceOf(error, first, to);
            if (failing < 0)
            {
                OneByOne(first, to); // no cursor: nothing tells where the good pieces end
                failing = to - 1;
            }
            else
            {
                // The pieces before the error, together; then the failing piece alone, and the ones after
                // it alone while they fail too (psql meta-commands come in runs) up to one that parses.
                if (TryRun(first, failing, out _) != RunOutcome.Taken)
                {
                    OneByOne(first, failing);
                }

                while (failing < count && !Alone(failing))
                {
                    failing++;
                }
            }

            first = failing + 1;

            // Then runs of the pieces after it, each at most MinRunBytes longer than all that parsed
            // since the last failure. libpg_query copies its whole input before it parses a token,
            // and so does Parse, so a run that fails at its first piece still costs its full length:
            // a run to the end of the batch after every failure was quadratic ("x;;" repeated to the
            // 1 MiB limit took ten times as long as parsing every piece alone). Bounded this way, a
            // failed run costs at most MinRunBytes plus bytes already classified once, and a long
            // stretch of good pieces still takes few calls (each run may be about twice the last).
            var parsedBytes = 0L;
            while (true)
            {
                if (first >= count)
                {
                    return;
                }

                to = RunEnd(first, MinRunBytes + parsedBytes);
                var outcome = TryRun(first, to, out error);
                if (outcome == RunOutcome.Failed)
                {
                    break;
                }

                if (outcome == RunOutcome.Misaligned)
                {
                    OneByOne(first, to);
                }

                parsedBytes += pieces[to - 1].End - pieces[first].Start;
                first = to;
            }
        }
    }

    /// <summary>
    /// The end of the run that starts at piece <paramref name="first"/>: the most pieces whose bytes,
    /// separators included, fit in <paramref name="budget"/>, and at least the first piece. A binary
    /// search, so that a run that fails at once does not cost a walk over every piece it could hold.
    /// </summary>
    private int RunEnd(int first, long budget)
    {
        // Piece ends grow with their index: find the first piece after `first` that does not fit.
        int lo = first + 1, hi = pieces.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (pieces[mid].End - pieces[first].Start <= budget)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void OneByOne(int from, int to)
    {
        for (var piece = from; piece < to; piece++)
        {
            Alone(piece);
        }
    }

    /// <summary>Parses one piece alone; false when it does not parse (it is then one UNPARSEABLE statement).</summary>
    private bool Alone(int piece)
    {
        var (start, end) = pieces[piece];
        if (batch.Trim(start, end) is not { } trimmed)
        {
            return true; // only comments between two semicolons
        }

        var error = Parse(start, end);
        if (error is null)
        {
            return true;
        }

        // The cursor counts code points from the piece's start.
        var text = batch.Text;
        var position = text.CursorToCharOffset(error.CursorPosition, text.CharOffset(start), text.CharOffset(end));
        PgQueryClassifier.AddUnparseable(statements, spans, text, trimmed, new SqlParseError(error.Message, position));
        return false;
    }

    /// <summary>Parses the pieces [from, to) together and keeps their statements only when they match the pieces exactly.</summary>
    private RunOutcome TryRun(int from, int to, out NativeParseError error)
    {
        error = null!;
        if (to - from <= 0)
        {
            return RunOutcome.Taken;
        }

        if (to - from == 1)
        {
            Alone(from);
            return RunOutcome.Taken;
        }

        var statementCount = statements.Count;
        var spanCount = spans.Count;
        var failure = Parse(pieces[from].Start, pieces[to - 1].End);
        if (failure is not null)
        {
            error = failure;
            return RunOutcome.Failed;
        }

        if (Aligned(from, to, spanCount))
        {
            return RunOutcome.Taken;
        }

        statements.RemoveRange(statementCount, statements.Count - statementCount);
        spans.RemoveRange(spanCount, spans.Count - spanCount);
        return RunOutcome.Misaligned;
    }

    /// <summary>
    /// True when the spans added from <paramref name="firstSpan"/> on are, piece by piece, the
    /// statements of the pieces [from, to): none crosses a piece's edge, and those of each piece
    /// start at its first token and end at its last (pieces of comments alone hold none).
    /// </summary>
    private bool Aligned(int from, int to, int firstSpan)
    {
        var s = firstSpan;
        for (var piece = from; piece < to; piece++)
        {
            if (batch.Trim(pieces[piece].Start, pieces[piece].End) is not { } trimmed)
            {
                continue;
            }

            if (s >= spans.Count || spans[s].Start != trimmed.Start)
            {
                return false;
            }

            var end = -1;
            while (s < spans.Count && spans[s].Start >= trimmed.Start && spans[s].End <= trimmed.End)
            {
                end = spans[s].End;
                s++;
            }

            if (end != trimmed.End)
            {
                return false;
            }
        }

        return s == spans.Count;
    }

    /// <summary>The piece in [first, to) where an error of the run of those pieces lies; -1 when it has no cursor.</summary>
    private int PieceOf(NativeParseError error, int first, int to)
    {
        var text = batch.Text;
        var runStart = text.CharOffset(pieces[first].Start);
        if (text.CursorToCharOffset(error.CursorPosition, runStart, text.CharOffset(pieces[to - 1].End)) is not { } position)
        {
            return -1;
        }

        var piece = first;
        while (piece + 1 < to && text.CharOffset(pieces[piece + 1].Start) <= position)
        {
            piece++;
        }

        return piece;
    }

    /// <summary>Parses the bytes [start, end) of the batch and adds their statements; the error when they do not parse.</summary>
    private NativeParseError? Parse(int start, int end)
    {
        var length = end - start;
        bytesParsed += length + 1;
        var input = ArrayPool<byte>.Shared.Rent(length + 1);
        try
        {
            Array.Copy(batch.Text.Bytes, start, input, 0, length);
            input[length] = 0;
            return LibPgQuery.ParseInPlace(input.AsSpan(0, length + 1), (recovery: this, start, end), static (state, json) =>
                PgQueryClassifier.AddParsed(state.recovery.statements, state.recovery.spans, state.recovery.batch, json, state.start, state.end));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }
}
