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
/// error message and position are exactly the piece's own.
/// </summary>
internal sealed class BatchRecovery
{
    private readonly List<SqlStatement> statements;
    private readonly List<(int Start, int End)> spans;
    private readonly BatchTokens batch;
    private readonly List<(int Start, int End)> pieces;

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
    /// tested against).
    /// </summary>
    public static void Classify(List<SqlStatement> statements, List<(int Start, int End)> spans, BatchTokens batch, NativeParseError wholeError, bool inRuns)
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
    }

    private void InRuns(NativeParseError wholeError)
    {
        var count = pieces.Count;
        var first = 0;
        var error = wholeError; // the pieces [first, count) failed together with this error
        while (first < count)
        {
            var failing = PieceOf(error, first);
            if (failing < 0)
            {
                OneByOne(first, count); // no cursor: nothing tells where the good pieces end
                return;
            }

            // The pieces before the error, together; then the failing piece alone, and the ones after
            // it alone while they fail too (psql meta-commands come in runs) up to one that parses.
            if (TryRun(first, failing, out _) != RunOutcome.Taken)
            {
                OneByOne(first, failing);
            }

            var next = failing;
            while (next < count && !Alone(next))
            {
                next++;
            }

            first = next + 1;
            if (first >= count)
            {
                return;
            }

            switch (TryRun(first, count, out error))
            {
                case RunOutcome.Taken:
                    return;
                case RunOutcome.Misaligned:
                    OneByOne(first, count);
                    return;
            }
        }
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

    /// <summary>The piece in [first, count) where an error of the run starting at piece first lies; -1 when it has no cursor.</summary>
    private int PieceOf(NativeParseError error, int first)
    {
        var text = batch.Text;
        var runStart = text.CharOffset(pieces[first].Start);
        if (text.CursorToCharOffset(error.CursorPosition, runStart, text.CharOffset(pieces[^1].End)) is not { } position)
        {
            return -1;
        }

        var piece = first;
        while (piece + 1 < pieces.Count && text.CharOffset(pieces[piece + 1].Start) <= position)
        {
            piece++;
        }

        return piece;
    }

    /// <summary>Parses the bytes [start, end) of the batch and adds their statements; the error when they do not parse.</summary>
    private NativeParseError? Parse(int start, int end)
    {
        var length = end - start;
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
