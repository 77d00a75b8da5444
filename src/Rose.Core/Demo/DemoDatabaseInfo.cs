namespace Rose.Core.Demo;

/// <summary>
/// Connection strings for the demo target, both with least-privileged roles: ConnectionString logs in as
/// rose_&lt;db&gt;_rw (CRUD + CREATE in schema public), ReadOnlyConnectionString as rose_&lt;db&gt;_ro (SELECT only,
/// read-only transactions by default). Both hold passwords: never log them.
/// </summary>
public sealed record DemoDatabaseInfo(string ConnectionString, string ReadOnlyConnectionString)
{
    public override string ToString() => "DemoDatabaseInfo { (connection strings hidden) }";
}
