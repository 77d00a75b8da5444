namespace Rose.Console.Auth;

public sealed class DevUser
{
    public string? Name { get; set; }
    public string Role { get; set; } = RoseRoles.Viewer;
}
