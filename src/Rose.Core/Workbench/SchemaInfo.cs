namespace Rose.Core.Workbench;

public sealed record SchemaInfo(string Target, IReadOnlyList<SchemaRelation> Relations, DateTimeOffset FetchedAt, bool Truncated)
{
    public IEnumerable<IGrouping<string, SchemaRelation>> BySchema => Relations.GroupBy(r => r.Schema);
}
