namespace Rose.Core.Validation;

/// <summary>
/// Counts a run's steps and reports them to an optional sink. Each <see cref="Step"/> closes the step
/// before it, so Done only grows and every report names what the run is doing now.
/// </summary>
internal sealed class RunProgress(IProgress<ValidationProgress>? sink)
{
    private int done;
    private int total;
    private bool underWay;

    /// <summary>The number of steps, once the catalog says how many tables there are.</summary>
    public void Plan(int steps) => total = steps;

    public void Step(string stage, string message)
    {
        if (underWay)
        {
            done++;
        }

        underWay = true;
        sink?.Report(new ValidationProgress(stage, done, Math.Max(total, done), message));
    }

    /// <summary>The last report: every step done, even when an error cut the run short.</summary>
    public void Finish(string message)
    {
        if (underWay)
        {
            done++;
        }

        underWay = false;
        total = Math.Max(total, done);
        done = total;
        sink?.Report(new ValidationProgress(ValidationProgress.Finished, done, total, message));
    }
}
