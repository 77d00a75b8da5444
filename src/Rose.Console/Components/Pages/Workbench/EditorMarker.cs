namespace Rose.Console.Components.Pages.Workbench;

/// <summary>A squiggle in the editor, as a UTF-16 range of the whole editor text; the JS module turns it into a Monaco marker.</summary>
public sealed record EditorMarker(int Offset, int Length, string Message, string Severity = "error");
