using System.Reflection;
using Rose.Core.Execution;
using Rose.Core.Tests.Architecture.Fixtures;

namespace Rose.Core.Tests.Architecture;

/// <summary>
/// The three rules of ARCHITECTURE.md over the real assemblies (Rose.Core and its hosts: the console,
/// the CLI, the MCP server), and, for each rule, proof that the same rule function reports a
/// deliberately bad fixture type, so a rule that silently stopped matching would show up here.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Core = typeof(ExecutionService).Assembly;

    private static readonly Assembly[] Shipped =
    [
        Core,
        Assembly.Load("Rose.Console"),
        Assembly.Load("rose"), // Rose.Cli's assembly is named after the command
        Assembly.Load("Rose.Mcp"),
    ];

    private static IEnumerable<Type> ShippedTypes => Shipped.SelectMany(IlCalls.TypesOf);

    private static IEnumerable<Type> FixtureTypes => IlCalls.TypesOf(typeof(ArchitectureTests).Assembly)
        .Where(t => IlCalls.Owner(t).Namespace?.StartsWith(typeof(OpensTargetConnection).Namespace!, StringComparison.Ordinal) == true);

    [Fact]
    public void Rule1_NothingOutsideExecutionOpensATargetConnection()
    {
        var violations = ArchitectureRules.TargetConnectionsOutsideExecution(ShippedTypes, ArchitectureRules.ExecutionNamespace);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Rule1_ReportsTheBadFixtures()
    {
        var violations = ArchitectureRules.TargetConnectionsOutsideExecution(FixtureTypes, typeof(Fixtures.Execution.HoldsConnection).Namespace!);

        // Found inside the async state machine and the lambda, and named by the method they were written in.
        Assert.Contains(typeof(OpensTargetConnection).FullName + ".CountAsync constructs NpgsqlConnection: only Rose.Core.Tests.Architecture.Fixtures.Execution may reach a target (ARCHITECTURE.md, rule 1).", violations);
        Assert.Contains(typeof(TakesTargetPool).FullName + ".get_Pool takes a target's connection pool (ReadWrite): only Rose.Core.Tests.Architecture.Fixtures.Execution may reach a target (ARCHITECTURE.md, rule 1).", violations);
        // OpensInsideExecution does the same inside the fixtures' Execution namespace, and is not reported.
        Assert.Equal(2, violations.Count);
    }

    [Fact]
    public void Rule1_SeesTheExecutorItself()
    {
        // The scan must find the real construction sites, or rule 1 would pass by seeing nothing.
        var calls = IlCalls.Of(IlCalls.TypesOf(Core)).Select(c => (Owner: IlCalls.Owner(c.Caller.DeclaringType!).Name, Callee: c.Callee)).ToList();
        Assert.Contains(calls, c => c.Owner == "TargetPools" && c.Callee is ConstructorInfo && c.Callee.DeclaringType == typeof(Npgsql.NpgsqlDataSourceBuilder));
        Assert.Contains(calls, c => c.Owner == "ScratchDatabase" && c.Callee is ConstructorInfo && c.Callee.DeclaringType == typeof(Npgsql.NpgsqlConnection));
    }

    [Fact]
    public void Rule2_TheExecutorAndItsSessionsAreInternal()
    {
        var types = IlCalls.TypesOf(Core);
        foreach (var name in ArchitectureRules.ExecutionInternals)
        {
            Assert.True(types.Any(t => t.Name == name && t.Namespace == ArchitectureRules.ExecutionNamespace),
                $"{ArchitectureRules.ExecutionNamespace}.{name} was not found: if it was renamed or moved, update ArchitectureRules.ExecutionInternals and ARCHITECTURE.md.");
        }

        var violations = ArchitectureRules.PublicExecutionInternals(types, ArchitectureRules.ExecutionNamespace);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Rule2_ReportsTheBadFixtures()
    {
        var violations = ArchitectureRules.PublicExecutionInternals(FixtureTypes, typeof(Fixtures.Execution.HoldsConnection).Namespace!);

        Assert.Contains(violations, v => v.StartsWith(typeof(Fixtures.SqlExecutor).FullName + " is public", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith(typeof(Fixtures.Execution.HoldsConnection).FullName + " is public and holds a NpgsqlConnection", StringComparison.Ordinal));
        Assert.Equal(2, violations.Count);
    }

    [Fact]
    public void Rule3_AuditAttemptsAreWrittenOnlyByExecutionAndAudit()
    {
        var violations = ArchitectureRules.AuditAttemptsOutsideExecutionAndAudit(ShippedTypes);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Rule3_ReportsTheBadFixture()
    {
        var violations = ArchitectureRules.AuditAttemptsOutsideExecutionAndAudit(FixtureTypes);

        Assert.Equal(typeof(WritesAuditAttempt).FullName + ".WriteAsync writes an audit attempt: go through Execution's AuditedRuns (ARCHITECTURE.md, rule 3).",
            Assert.Single(violations));
    }

    [Fact]
    public void Rule3_InsideExecutionOnlyTheAuditedRunPrimitiveWritesAuditRows()
    {
        var violations = ArchitectureRules.AuditRowsOutsideThePrimitive(IlCalls.TypesOf(Core), ArchitectureRules.ExecutionNamespace);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Rule3_ReportsTheFixtureThatWritesItsOwnBracket()
    {
        var violations = ArchitectureRules.AuditRowsOutsideThePrimitive(FixtureTypes, typeof(Fixtures.Execution.HoldsConnection).Namespace!);

        Assert.Equal(typeof(Fixtures.Execution.WritesItsOwnBracket).FullName + ".CloseAsync writes an audit outcome by hand: use AuditedRuns (RunAsync, RunInTransactionAsync, RecordAsync or Begin) (ARCHITECTURE.md, rule 3).",
            Assert.Single(violations));
    }

    [Fact]
    public void Rule4_HostsDoNotHandleDriverExceptions()
    {
        var hosts = Shipped.Where(a => a != Core).SelectMany(IlCalls.TypesOf);
        var violations = ArchitectureRules.DriverExceptionsInHosts(hosts);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Rule4_ReportsTheBadFixture()
    {
        var violations = ArchitectureRules.DriverExceptionsInHosts(FixtureTypes);

        Assert.Equal(typeof(CatchesDriverException).FullName + ".ReadAsync handles Npgsql.PostgresException: catch Rose.Core.Errors' DatabaseException types, which Core's services throw (ARCHITECTURE.md, rule 4).",
            Assert.Single(violations));
    }

    [Fact]
    public void Layers_ExecutionDoesNotDependOnApprovalsMigrationsOrAnythingAbove()
    {
        var violations = ArchitectureRules.ExecutionDependsUpward(IlCalls.TypesOf(Core), ArchitectureRules.ExecutionNamespace, ArchitectureRules.AboveExecution);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void Layers_ReportsTheBadFixture()
    {
        var violations = ArchitectureRules.ExecutionDependsUpward(FixtureTypes, typeof(Fixtures.Execution.HoldsConnection).Namespace!, ["Rose.Core.Approvals"]);

        Assert.Equal(typeof(Fixtures.Execution.CallsUpIntoApprovals).FullName + ".Lock uses Rose.Core.Approvals.LockLevels.For: Execution must not depend on the layers above it (ARCHITECTURE.md, layers).",
            Assert.Single(violations));
    }
}
