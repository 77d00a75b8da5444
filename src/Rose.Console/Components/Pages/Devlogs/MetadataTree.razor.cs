namespace Rose.Console.Components.Pages.Devlogs;

public partial class MetadataTree
{
    [Parameter, EditorRequired] public JsonElement Value { get; set; }

    private static bool IsScalar(JsonElement e) => e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);

    private static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Null => "null",
        _ => e.GetRawText(),
    };

    private static string ScalarClass(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "meta-string",
        JsonValueKind.Number => "meta-number",
        JsonValueKind.True or JsonValueKind.False => "meta-bool",
        _ => "meta-null",
    };
}
