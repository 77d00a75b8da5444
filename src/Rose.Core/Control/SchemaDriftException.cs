namespace Rose.Core.Control;

/// <summary>
/// The control database's recorded schema versions disagree with the scripts in this build: an applied
/// script was edited, or the database was migrated by a newer Rose. Starting anyway could corrupt data.
/// </summary>
public sealed class SchemaDriftException(string message) : InvalidOperationException(message);
