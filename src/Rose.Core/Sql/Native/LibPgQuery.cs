using System.Runtime.InteropServices;

namespace Rose.Core.Sql.Native;

/// <summary>A parse or scan error reported by libpg_query; CursorPosition is 1-based in code points (0 = none).</summary>
internal sealed record NativeParseError(string Message, int CursorPosition);

/// <summary>The JSON parse tree (UTF-8 bytes) or the error.</summary>
internal readonly record struct NativeParseResult(byte[]? ParseTreeJson, NativeParseError? Error);

/// <summary>Statement ranges as UTF-8 byte offsets, or the error.</summary>
internal readonly record struct NativeSplitResult(IReadOnlyList<(int Location, int Length)> Statements, NativeParseError? Error);

/// <summary>The protobuf-encoded scan result (pg_query.proto ScanResult), or the error.</summary>
internal readonly record struct NativeScanResult(byte[]? Protobuf, NativeParseError? Error);

/// <summary>
/// Binding to libpg_query 17 (the PostgreSQL 17 parser, Debian 13's libpg-query1706.0). The
/// library is loaded once, explicitly, and called through function pointers so no process-wide
/// DllImport resolver is installed. Every native result is copied into managed memory and freed
/// before returning. libpg_query keeps its memory contexts per thread, so concurrent calls from
/// several threads are safe.
/// </summary>
internal static unsafe class LibPgQuery
{
    /// <summary>Overrides where the library is loaded from (a file path); nothing else is tried when it is set.</summary>
    public const string PathVariable = "ROSE_LIBPG_QUERY";

    /// <summary>The file name of libpg_query 17 as Debian 13 ships it.</summary>
    public const string LibraryFile = "libpg_query.so.1706.0";

    /// <summary>Where Debian 13's libpg-query1706.0 (and so the Docker image) installs it.</summary>
    public const string SystemPath = "/usr/lib/x86_64-linux-gnu/" + LibraryFile;

    /// <summary>The path the library was loaded from (after the first use).</summary>
    public static string LoadedFrom => Loaded.Value.Path;

    [StructLayout(LayoutKind.Sequential)]
    private struct PgQueryError
    {
        public byte* Message;
        public byte* FuncName;
        public byte* FileName;
        public int LineNo;
        public int CursorPos;
        public byte* Context;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PgQueryParseResult
    {
        public byte* ParseTree;
        public byte* StderrBuffer;
        public PgQueryError* Error;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PgQuerySplitStmt
    {
        public int StmtLocation;
        public int StmtLen;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PgQuerySplitResult
    {
        public PgQuerySplitStmt** Stmts;
        public int NStmts;
        public byte* StderrBuffer;
        public PgQueryError* Error;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PgQueryProtobuf
    {
        public nuint Len;
        public byte* Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PgQueryScanResult
    {
        public PgQueryProtobuf Pbuf;
        public byte* StderrBuffer;
        public PgQueryError* Error;
    }

    /// <summary>Resolved entry points; loading happens once, on first use.</summary>
    private sealed class Entry
    {
        public required string Path;
        public delegate* unmanaged[Cdecl]<byte*, PgQueryParseResult> Parse;
        public delegate* unmanaged[Cdecl]<PgQueryParseResult, void> FreeParse;
        public delegate* unmanaged[Cdecl]<byte*, PgQuerySplitResult> SplitWithParser;
        public delegate* unmanaged[Cdecl]<byte*, PgQuerySplitResult> SplitWithScanner;
        public delegate* unmanaged[Cdecl]<PgQuerySplitResult, void> FreeSplit;
        public delegate* unmanaged[Cdecl]<byte*, PgQueryScanResult> Scan;
        public delegate* unmanaged[Cdecl]<PgQueryScanResult, void> FreeScan;
    }

    private static readonly Lazy<Entry> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The libpg_query version of the loaded library, from a parse tree's "version" (e.g. 170004).</summary>
    public static int Version => version.Value;

    private static readonly Lazy<int> version = new(ReadVersion, LazyThreadSafetyMode.ExecutionAndPublication);

    private static int ReadVersion()
    {
        var result = Parse("SELECT 1\0"u8);
        using var document = System.Text.Json.JsonDocument.Parse(result.ParseTreeJson ?? "{}"u8.ToArray());
        return document.RootElement.TryGetProperty("version", out var v) ? v.GetInt32() : 0;
    }

    /// <summary>Loads the library now; throws <see cref="SqlParserUnavailableException"/> when it is missing.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    /// <summary>
    /// Candidate files, in order: ROSE_LIBPG_QUERY alone when set (so a wrong override fails
    /// instead of silently falling back to another parser), else .tools/libpg_query next to the
    /// repository or publish folder (scripts/lib.sh ensure_libpg_query17 puts it there), else the
    /// system path.
    /// </summary>
    internal static IReadOnlyList<string> Candidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return [fromEnvironment];
        }

        var candidates = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var tools = System.IO.Path.Combine(dir.FullName, ".tools", "libpg_query", LibraryFile);
            if (File.Exists(tools))
            {
                candidates.Add(tools);
                break;
            }
        }

        candidates.Add(SystemPath);
        return candidates;
    }

    private static Entry Load() => LoadFrom(Candidates());

    /// <summary>Loads the first candidate that loads; throws <see cref="SqlParserUnavailableException"/> when none does.</summary>
    internal static void Probe(IReadOnlyList<string> candidates) => LoadFrom(candidates);

    private static Entry LoadFrom(IReadOnlyList<string> candidates)
    {
        var handle = IntPtr.Zero;
        var path = string.Empty;
        foreach (var candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out handle))
            {
                path = candidate;
                break;
            }
        }

        if (handle == IntPtr.Zero)
        {
            throw new SqlParserUnavailableException(
                $"The PostgreSQL 17 parser library libpg_query ({LibraryFile}) could not be loaded from {string.Join(", ", candidates)}. " +
                $"Install Debian 13's package libpg-query1706.0 (or run scripts/test.sh, which fetches it into .tools/libpg_query), " +
                $"or set {PathVariable} to the library's path.");
        }

        try
        {
            return new Entry
            {
                Path = path,
                Parse = (delegate* unmanaged[Cdecl]<byte*, PgQueryParseResult>)NativeLibrary.GetExport(handle, "pg_query_parse"),
                FreeParse = (delegate* unmanaged[Cdecl]<PgQueryParseResult, void>)NativeLibrary.GetExport(handle, "pg_query_free_parse_result"),
                SplitWithParser = (delegate* unmanaged[Cdecl]<byte*, PgQuerySplitResult>)NativeLibrary.GetExport(handle, "pg_query_split_with_parser"),
                SplitWithScanner = (delegate* unmanaged[Cdecl]<byte*, PgQuerySplitResult>)NativeLibrary.GetExport(handle, "pg_query_split_with_scanner"),
                FreeSplit = (delegate* unmanaged[Cdecl]<PgQuerySplitResult, void>)NativeLibrary.GetExport(handle, "pg_query_free_split_result"),
                Scan = (delegate* unmanaged[Cdecl]<byte*, PgQueryScanResult>)NativeLibrary.GetExport(handle, "pg_query_scan"),
                FreeScan = (delegate* unmanaged[Cdecl]<PgQueryScanResult, void>)NativeLibrary.GetExport(handle, "pg_query_free_scan_result"),
            };
        }
        catch (EntryPointNotFoundException e)
        {
            throw new SqlParserUnavailableException(
                $"{path} was loaded but lacks an expected libpg_query function; install Debian 13's libpg-query1706.0 or set {PathVariable}.", e);
        }
    }

    /// <summary>Parses NUL-terminated UTF-8 SQL into the JSON parse tree.</summary>
    public static NativeParseResult Parse(ReadOnlySpan<byte> utf8WithNul) => Call(utf8WithNul,
        static (entry, input) => entry.Parse(input),
        static (entry, result) => entry.FreeParse(result),
        static result => result.Error is not null
            ? new NativeParseResult(null, ReadError(result.Error))
            : new NativeParseResult(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result.ParseTree).ToArray(), null));

    /// <summary>
    /// Parses NUL-terminated UTF-8 SQL and hands the JSON parse tree to <paramref name="read"/> straight
    /// from libpg_query's buffer, without a managed copy (the trees of a large batch run to megabytes,
    /// and copying them cost a large share of classification). The memory is freed as soon as
    /// <paramref name="read"/> returns, so nothing built over it (a JsonDocument) may outlive the call.
    /// Returns the parse error, or null when the tree was read.
    /// </summary>
    public static NativeParseError? ParseInPlace<TState>(ReadOnlySpan<byte> utf8WithNul, TState state, Action<TState, ReadOnlyMemory<byte>> read)
    {
        RequireNul(utf8WithNul);
        var entry = Loaded.Value;
        fixed (byte* input = utf8WithNul)
        {
            var result = entry.Parse(input);
            try
            {
                if (result.Error is not null)
                {
                    return ReadError(result.Error);
                }

                var json = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result.ParseTree);
                using var buffer = new NativeBuffer(result.ParseTree, json.Length);
                read(state, buffer.Memory);
                return null;
            }
            finally
            {
                entry.FreeParse(result);
            }
        }
    }

    /// <summary>Runs the lexer and decodes its tokens straight from libpg_query's protobuf buffer.</summary>
    public static (ScanToken[]? Tokens, NativeParseError? Error) ScanToTokens(ReadOnlySpan<byte> utf8WithNul) => Call(utf8WithNul,
        static (entry, input) => entry.Scan(input),
        static (entry, result) => entry.FreeScan(result),
        static result => result.Error is not null
            ? ((ScanToken[]?)null, ReadError(result.Error))
            : (ScanTokens.DecodeArray(new ReadOnlySpan<byte>(result.Pbuf.Data, checked((int)result.Pbuf.Len))), (NativeParseError?)null));

    /// <summary>Native memory seen as Memory&lt;byte&gt; for the length of one call; it owns nothing.</summary>
    private sealed class NativeBuffer(byte* pointer, int length) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(pointer, length);

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    /// <summary>Splits with the full grammar (fails on any syntax error).</summary>
    public static NativeSplitResult SplitWithParser(ReadOnlySpan<byte> utf8WithNul) => Call(utf8WithNul,
        static (entry, input) => entry.SplitWithParser(input),
        static (entry, result) => entry.FreeSplit(result),
        ReadSplit);

    /// <summary>Splits with the scanner only. Beware: it drops statements that start with a non-keyword.</summary>
    public static NativeSplitResult SplitWithScanner(ReadOnlySpan<byte> utf8WithNul) => Call(utf8WithNul,
        static (entry, input) => entry.SplitWithScanner(input),
        static (entry, result) => entry.FreeSplit(result),
        ReadSplit);

    /// <summary>Runs the lexer; the answer is the protobuf ScanResult of pg_query.proto.</summary>
    public static NativeScanResult Scan(ReadOnlySpan<byte> utf8WithNul) => Call(utf8WithNul,
        static (entry, input) => entry.Scan(input),
        static (entry, result) => entry.FreeScan(result),
        static result => result.Error is not null
            ? new NativeScanResult(null, ReadError(result.Error))
            : new NativeScanResult(new ReadOnlySpan<byte>(result.Pbuf.Data, checked((int)result.Pbuf.Len)).ToArray(), null));

    private static NativeSplitResult ReadSplit(PgQuerySplitResult result)
    {
        if (result.Error is not null)
        {
            return new NativeSplitResult([], ReadError(result.Error));
        }

        var statements = new List<(int, int)>(result.NStmts);
        for (var i = 0; i < result.NStmts; i++)
        {
            statements.Add((result.Stmts[i]->StmtLocation, result.Stmts[i]->StmtLen));
        }

        return new NativeSplitResult(statements, null);
    }

    private delegate TResult NativeCall<TResult>(Entry entry, byte* input);

    /// <summary>
    /// One call into the library, the same for every entry point: the input must end with NUL, stays
    /// pinned while the C code reads it, and the library's result is read into managed memory and then
    /// freed with the matching free function, also when reading it throws (the C side owns it).
    /// </summary>
    private static TOut Call<TResult, TOut>(ReadOnlySpan<byte> utf8WithNul, NativeCall<TResult> call, Action<Entry, TResult> free, Func<TResult, TOut> read)
        where TResult : struct
    {
        RequireNul(utf8WithNul);
        var entry = Loaded.Value;
        fixed (byte* input = utf8WithNul)
        {
            var result = call(entry, input);
            try
            {
                return read(result);
            }
            finally
            {
                free(entry, result);
            }
        }
    }

    private static NativeParseError ReadError(PgQueryError* error)
    {
        var message = error->Message is null
            ? "unknown parser error"
            : System.Text.Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(error->Message));
        return new NativeParseError(message, error->CursorPos);
    }

    /// <summary>The C API reads up to the first NUL: without one it would read past the buffer.</summary>
    private static void RequireNul(ReadOnlySpan<byte> utf8WithNul)
    {
        if (utf8WithNul.IsEmpty || utf8WithNul[^1] != 0)
        {
            throw new ArgumentException("The SQL bytes must end with a NUL terminator.", nameof(utf8WithNul));
        }
    }
}
