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
/// Binding to libpg_query (the PostgreSQL 15 parser). The library is loaded once, explicitly, and
/// called through function pointers so no process-wide DllImport resolver is installed. Every
/// native result is copied into managed memory and freed before returning. libpg_query keeps its
/// memory contexts per thread, so concurrent calls from several threads are safe.
/// </summary>
internal static unsafe class LibPgQuery
{
    /// <summary>Names tried in order: Debian's versioned file, then the generic names.</summary>
    private static readonly string[] LibraryNames =
    [
        "libpg_query.so.1504.0",
        "/usr/lib/x86_64-linux-gnu/libpg_query.so.1504.0",
        "pg_query",
        "libpg_query.so",
    ];

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
        public delegate* unmanaged[Cdecl]<byte*, PgQueryParseResult> Parse;
        public delegate* unmanaged[Cdecl]<PgQueryParseResult, void> FreeParse;
        public delegate* unmanaged[Cdecl]<byte*, PgQuerySplitResult> SplitWithParser;
        public delegate* unmanaged[Cdecl]<byte*, PgQuerySplitResult> SplitWithScanner;
        public delegate* unmanaged[Cdecl]<PgQuerySplitResult, void> FreeSplit;
        public delegate* unmanaged[Cdecl]<byte*, PgQueryScanResult> Scan;
        public delegate* unmanaged[Cdecl]<PgQueryScanResult, void> FreeScan;
    }

    private static readonly Lazy<Entry> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads the library now; throws <see cref="SqlParserUnavailableException"/> when it is missing.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static Entry Load()
    {
        var handle = IntPtr.Zero;
        foreach (var name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out handle))
            {
                break;
            }
        }

        if (handle == IntPtr.Zero)
        {
            throw new SqlParserUnavailableException(
                "The PostgreSQL parser library libpg_query (libpg_query.so.1504.0) could not be loaded. " +
                "Install the Debian package libpg-query1504.0 (or libpg-query-dev): apt-get install libpg-query-dev");
        }

        try
        {
            return new Entry
            {
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
                "libpg_query was loaded but lacks an expected function; install libpg-query1504.0 (PostgreSQL 15 parser).", e);
        }
    }

    /// <summary>Parses NUL-terminated UTF-8 SQL into the JSON parse tree.</summary>
    public static NativeParseResult Parse(ReadOnlySpan<byte> utf8WithNul)
    {
        RequireNul(utf8WithNul);
        var entry = Loaded.Value;
        fixed (byte* input = utf8WithNul)
        {
            var result = entry.Parse(input);
            try
            {
                return result.Error is not null
                    ? new NativeParseResult(null, ReadError(result.Error))
                    : new NativeParseResult(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result.ParseTree).ToArray(), null);
            }
            finally
            {
                entry.FreeParse(result);
            }
        }
    }

    /// <summary>Splits with the full grammar (fails on any syntax error).</summary>
    public static NativeSplitResult SplitWithParser(ReadOnlySpan<byte> utf8WithNul) => Split(utf8WithNul, parser: true);

    /// <summary>Splits with the scanner only. Beware: it drops statements that start with a non-keyword.</summary>
    public static NativeSplitResult SplitWithScanner(ReadOnlySpan<byte> utf8WithNul) => Split(utf8WithNul, parser: false);

    private static NativeSplitResult Split(ReadOnlySpan<byte> utf8WithNul, bool parser)
    {
        RequireNul(utf8WithNul);
        var entry = Loaded.Value;
        fixed (byte* input = utf8WithNul)
        {
            var result = parser ? entry.SplitWithParser(input) : entry.SplitWithScanner(input);
            try
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
            finally
            {
                entry.FreeSplit(result);
            }
        }
    }

    /// <summary>Runs the lexer; the answer is the protobuf ScanResult of pg_query.proto.</summary>
    public static NativeScanResult Scan(ReadOnlySpan<byte> utf8WithNul)
    {
        RequireNul(utf8WithNul);
        var entry = Loaded.Value;
        fixed (byte* input = utf8WithNul)
        {
            var result = entry.Scan(input);
            try
            {
                return result.Error is not null
                    ? new NativeScanResult(null, ReadError(result.Error))
                    : new NativeScanResult(new ReadOnlySpan<byte>(result.Pbuf.Data, checked((int)result.Pbuf.Len)).ToArray(), null);
            }
            finally
            {
                entry.FreeScan(result);
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
