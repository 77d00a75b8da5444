namespace Rose.Core.Workbench;

public sealed record SchemaRelation(string Schema, string Name, string Kind, IReadOnlyList<SchemaColumn> Columns);
