using Rose.Console.Hosting;

var builder = WebApplication.CreateBuilder(args);
await builder.AddRoseConsoleAsync();
var app = builder.Build();
app.UseRoseConsole();
await app.RunAsync();

/// <summary>Entry point type, public so WebApplicationFactory can find it.</summary>
public partial class Program;
