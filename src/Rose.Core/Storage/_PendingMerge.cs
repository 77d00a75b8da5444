// Temporary: replaced by the storage branch on merge.
namespace Rose.Core.Storage
{
    public sealed record DemoDatabaseInfo(string ConnectionString, string ReadOnlyConnectionString);
    public static class DemoDatabase { public static Task<DemoDatabaseInfo> EnsureAsync(string a, string b, CancellationToken ct) => throw new NotSupportedException(); }
}
