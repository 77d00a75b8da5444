namespace Rose.Core.Migrations;

/// <summary>
/// What the migration services (planner, runner, reversibility checker) all work through: the real
/// parser, the executor's sessions and catalog reads, the audited-run primitive and the migration
/// settings. One bundle, so the three take Execution's internals the same way. Public only as an
/// opaque token: its constructor and members are internal, so a host gets it (and the services that
/// take it) from DI and cannot reach Execution's internals through it.
/// </summary>
public sealed class MigrationParts
{
    private readonly IOptions<RoseOptions> options;

    internal MigrationParts(ISqlClassifier classifier, SqlExecutor executor, AuditedRuns runs, IOptions<RoseOptions> options)
    {
        Classifier = classifier;
        Executor = executor;
        Runs = runs;
        this.options = options;
    }

    internal ISqlClassifier Classifier { get; }

    internal SqlExecutor Executor { get; }

    internal AuditedRuns Runs { get; }

    internal MigrationOptions Settings => options.Value.Migrations;
}
