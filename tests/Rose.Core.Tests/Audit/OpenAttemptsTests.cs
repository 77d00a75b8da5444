using Rose.Core.Audit;

namespace Rose.Core.Tests.Audit;

/// <summary>
/// The open-attempt list crash recovery consults: past its capacity it drops the oldest ids only, so an
/// attempt still running (a recent id) is never handed to recovery by a trim.
/// </summary>
public sealed class OpenAttemptsTests
{
    [Fact]
    public void PastCapacity_DropsTheOldestIdsOnly_AndKeepsTheNewest()
    {
        var open = new OpenAttempts(capacity: 100);
        for (long id = 1; id <= 100; id++)
        {
            Assert.Equal(0, open.Add(id, $"h{id}"));
        }

        var dropped = open.Add(101, "h101");

        Assert.Equal(51, dropped);
        Assert.Equal(50, open.Count);
        Assert.False(open.Contains(1));
        Assert.False(open.Contains(51));
        Assert.True(open.Contains(52));
        Assert.True(open.TryGet(101, out var hash));
        Assert.Equal("h101", hash);
    }

    [Fact]
    public void ClosedAttempts_LeaveTheList_AndNothingIsDroppedBelowCapacity()
    {
        var open = new OpenAttempts(capacity: 10);
        for (long id = 1; id <= 1_000; id++)
        {
            Assert.Equal(0, open.Add(id, "h"));
            Assert.True(open.TryRemove(id, out var hash));
            Assert.Equal("h", hash);
        }

        Assert.Equal(0, open.Count);
        Assert.False(open.TryRemove(5, out _));
    }

    [Fact]
    public async Task ConcurrentAdds_PastCapacity_KeepTheNewestOfEachWriter()
    {
        var open = new OpenAttempts(capacity: 1_000);
        // Four writers with interleaved ids, as callers on several threads get them from one sequence.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (long i = 0; i < 5_000; i++)
            {
                open.Add(i * 4 + w + 1, "h");
            }
        })));

        Assert.InRange(open.Count, 1, 1_000);
        for (long id = 19_997; id <= 20_000; id++)
        {
            Assert.True(open.Contains(id), $"the newest attempt {id} was dropped");
        }
    }
}
