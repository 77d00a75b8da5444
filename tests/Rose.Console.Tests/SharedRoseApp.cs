namespace Rose.Console.Tests;

/// <summary>One console host (<see cref="RoseAppFactory"/>) for all the tests of a class: see <see cref="SharedHostTest"/>.</summary>
public sealed class SharedRoseApp : SharedFixture<RoseAppFactory>;
