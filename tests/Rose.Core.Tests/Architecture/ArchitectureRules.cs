using System.Reflection;
using Npgsql;
using Rose.Core.Audit;
using Rose.Core.Targets;

namespace Rose.Core.Tests.Architecture;

/// <summary>
/// The three rules of ARCHITECTURE.md, as functions over compiled types. Each returns one readable
/// line per violation (who, what, and the rule), so a failing test says what to move where.
/// </summary>
internal static class ArchitectureRules
{
    public const string ExecutionNamespace = "Rose.Core.Execution";

    /// <summary>
    /// Types that may open connections although they are not in Execution, because what they reach is
    /// not a target. Matched by type name so the folder they live in may change.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotTargetConnections = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ControlDatabase"] = "Rose's own control database, where the audit log and the stores live",
        ["PgAdmin"] = "creates and drops databases of Rose's own embedded or demo cluster at start-up, before any target is registered",
        ["EmbeddedPostgres"] = "starts and waits for Rose's own embedded cluster",
    };

    /// <summary>The types whose visibility outside Core would be a door around the pipeline.</summary>
    public static readonly IReadOnlyList<string> ExecutionInternals = ["SqlExecutor", "TargetSession", "CleanConnection", "AuditedRuns", "HookedAttempt", "RunContext", "TargetPools",
        "CreatedDatabase", "ScratchDatabase", "RestoredDatabase", "CommandRows", "PgClientTools"];

    /// <summary>The audited-run primitive: inside Execution, the only types that write attempt and outcome rows.</summary>
    public static readonly IReadOnlyList<string> AuditBracket = ["AuditedRuns", "HookedAttempt"];

    private static readonly Type[] ConnectionTypes = [typeof(NpgsqlConnection), typeof(NpgsqlDataSource), typeof(NpgsqlTransaction)];

    /// <summary>
    /// Rule 1: nothing outside Execution constructs a connection or a data source, or takes a target's
    /// pool. How it fails: <see cref="Fixtures.OpensTargetConnection"/> and <see cref="Fixtures.TakesTargetPool"/>
    /// are each reported by this function (ArchitectureTests.Rule1_ReportsTheBadFixtures).
    /// </summary>
    /// <param name="executionNamespace">Execution's namespace in the scanned assembly (the fixtures use their own).</param>
    public static List<string> TargetConnectionsOutsideExecution(IEnumerable<Type> types, string executionNamespace)
    {
        var violations = new List<string>();
        foreach (var (caller, callee) in IlCalls.Of(types))
        {
            var owner = IlCalls.Owner(caller.DeclaringType!);
            // A registered target may dispose its own pools.
            if (InNamespace(owner, executionNamespace) || NotTargetConnections.ContainsKey(owner.Name) || owner == callee.DeclaringType
                || Forbidden(callee) is not { } what)
            {
                continue;
            }

            violations.Add($"{IlCalls.Describe(caller)} {what}: only {executionNamespace} may reach a target (ARCHITECTURE.md, rule 1).");
        }

        return [.. violations.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Rule 2: the executor, its sessions and everything in Execution that holds a connection stay
    /// internal. How it fails: the public <see cref="Fixtures.SqlExecutor"/> and
    /// <see cref="Fixtures.Execution.HoldsConnection"/> are reported by this function.
    /// </summary>
    /// <param name="executionNamespace">Execution's namespace in the scanned assembly (the fixtures use their own).</param>
    public static List<string> PublicExecutionInternals(IEnumerable<Type> types, string executionNamespace)
    {
        var violations = new List<string>();
        foreach (var type in types.Where(t => t.IsVisible))
        {
            if (ExecutionInternals.Contains(type.Name))
            {
                violations.Add($"{type.FullName} is public: it must stay internal to Rose.Core (ARCHITECTURE.md, rule 2); tests reach it through InternalsVisibleTo.");
            }
            else if (type.Namespace == executionNamespace
                && type.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                    .FirstOrDefault(f => ConnectionTypes.Any(c => c.IsAssignableFrom(f.FieldType))) is { } field)
            {
                violations.Add($"{type.FullName} is public and holds a {field.FieldType.Name} ({field.Name}): a public type of Execution must not carry a target connection (ARCHITECTURE.md, rule 2).");
            }
        }

        return violations;
    }

    /// <summary>
    /// Rule 3: audit attempts are written only by Execution (the audited-run primitive) and Audit.
    /// How it fails: <see cref="Fixtures.WritesAuditAttempt"/> is reported by this function.
    /// </summary>
    public static List<string> AuditAttemptsOutsideExecutionAndAudit(IEnumerable<Type> types)
    {
        var recordAttempt = typeof(AuditLog).GetMethod(nameof(AuditLog.RecordAttemptAsync))!;
        var violations = new List<string>();
        foreach (var (caller, callee) in IlCalls.Of(types))
        {
            var owner = IlCalls.Owner(caller.DeclaringType!);
            if (callee == recordAttempt && !InNamespace(owner, ExecutionNamespace) && owner.Namespace != typeof(AuditLog).Namespace)
            {
                violations.Add($"{IlCalls.Describe(caller)} writes an audit attempt: go through Execution's AuditedRuns (ARCHITECTURE.md, rule 3).");
            }
        }

        return [.. violations.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Rule 3, inside Execution: the attempt -> run -> outcome bracket exists once, in the audited-run
    /// primitive (<see cref="AuditBracket"/>); the pipeline and every other part of Execution use it
    /// rather than writing attempt or outcome rows by hand. How it fails:
    /// <see cref="Fixtures.Execution.WritesItsOwnBracket"/> is reported by this function.
    /// </summary>
    /// <param name="executionNamespace">Execution's namespace in the scanned assembly (the fixtures use their own).</param>
    public static List<string> AuditRowsOutsideThePrimitive(IEnumerable<Type> types, string executionNamespace)
    {
        MethodInfo[] writes = [typeof(AuditLog).GetMethod(nameof(AuditLog.RecordAttemptAsync))!, typeof(AuditLog).GetMethod(nameof(AuditLog.RecordOutcomeAsync))!];
        var violations = new List<string>();
        foreach (var (caller, callee) in IlCalls.Of(types))
        {
            var owner = IlCalls.Owner(caller.DeclaringType!);
            if (writes.Contains(callee) && InNamespace(owner, executionNamespace) && !AuditBracket.Contains(owner.Name))
            {
                violations.Add($"{IlCalls.Describe(caller)} writes an audit {(callee == writes[0] ? "attempt" : "outcome")} by hand: use AuditedRuns (RunAsync, RunInTransactionAsync, RecordAsync or Begin) (ARCHITECTURE.md, rule 3).");
            }
        }

        return [.. violations.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The layers above Execution: they use it, it never uses them (no Approvals -> Execution -> Approvals circle).</summary>
    public static readonly IReadOnlyList<string> AboveExecution =
        ["Rose.Core.Approvals", "Rose.Core.Migrations", "Rose.Core.Validation", "Rose.Core.Advisor", "Rose.Core.Agents"];

    /// <summary>
    /// Execution depends on nothing above it: no call into, and no field or parameter of, a type of the
    /// given namespaces. Parking goes through IApprovalParking, declared in Execution. How it fails:
    /// <see cref="Fixtures.Execution.CallsUpIntoApprovals"/> is reported by this function.
    /// </summary>
    public static List<string> ExecutionDependsUpward(IEnumerable<Type> types, string executionNamespace, IReadOnlyList<string> above)
    {
        var list = types.ToList();
        bool Above(Type? t) => t is not null && above.Any(a => InNamespace(IlCalls.Owner(t), a));
        var violations = new List<string>();
        foreach (var (caller, callee) in IlCalls.Of(list))
        {
            if (InNamespace(IlCalls.Owner(caller.DeclaringType!), executionNamespace) && Above(callee.DeclaringType))
            {
                violations.Add($"{IlCalls.Describe(caller)} uses {callee.DeclaringType!.FullName}.{callee.Name}: Execution must not depend on the layers above it (ARCHITECTURE.md, layers).");
            }
        }

        foreach (var type in list.Where(t => InNamespace(IlCalls.Owner(t), executionNamespace)))
        {
            const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            var used = type.GetFields(all).Select(f => f.FieldType)
                .Concat(type.GetConstructors(all).Cast<MethodBase>().Concat(type.GetMethods(all)).SelectMany(m => m.GetParameters()).Select(p => p.ParameterType));
            foreach (var t in used.Where(Above).Distinct())
            {
                violations.Add($"{type.FullName} holds or takes a {t.FullName}: Execution must not depend on the layers above it (ARCHITECTURE.md, layers).");
            }
        }

        return [.. violations.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Hosts handle database failures through Core's domain exceptions (Rose.Core.Errors), never the
    /// driver's: no catch of, filter on, or member call into an Npgsql exception type. How it fails:
    /// <see cref="Fixtures.CatchesDriverException"/> is reported by this function.
    /// </summary>
    public static List<string> DriverExceptionsInHosts(IEnumerable<Type> hostTypes)
    {
        var violations = new List<string>();
        foreach (var (method, type) in IlCalls.TypeReferences(hostTypes))
        {
            if (typeof(NpgsqlException).IsAssignableFrom(type))
            {
                violations.Add($"{IlCalls.Describe(method)} handles {type.FullName}: catch Rose.Core.Errors' DatabaseException types, which Core's services throw (ARCHITECTURE.md, rule 4).");
            }
        }

        return [.. violations.Distinct(StringComparer.Ordinal)];
    }

    private static bool InNamespace(Type owner, string name) =>
        owner.Namespace is { } ns && (ns == name || ns.StartsWith(name + ".", StringComparison.Ordinal));

    private static string? Forbidden(MethodBase callee)
    {
        var type = callee.DeclaringType;
        if (callee is ConstructorInfo && (type == typeof(NpgsqlConnection) || type == typeof(NpgsqlDataSourceBuilder) || type == typeof(NpgsqlSlimDataSourceBuilder)))
        {
            return "constructs " + type.Name;
        }

        if (type == typeof(NpgsqlDataSource) && callee.Name == nameof(NpgsqlDataSource.Create))
        {
            return "creates an NpgsqlDataSource";
        }

        if (type == typeof(RegisteredTarget) && callee.Name is "get_ReadWrite" or "get_ReadOnly")
        {
            return "takes a target's connection pool (" + callee.Name[4..] + ")";
        }

        return null;
    }
}
