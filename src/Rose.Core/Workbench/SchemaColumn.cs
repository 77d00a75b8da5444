namespace Rose.Core.Workbench;

public sealed record SchemaColumn(string Name, string Type);
