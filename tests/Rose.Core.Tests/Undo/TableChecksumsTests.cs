using Rose.Core.Undo;

namespace Rose.Core.Tests.Undo;

/// <summary>How a restored database's checksums are held against a snapshot's: every kind of difference is named.</summary>
public sealed class TableChecksumsTests
{
    private static readonly TableChecksum[] Snapshot =
    [
        new("public", "orders", 3, "aaa"),
        new("sales", "events", 2, "bbb"),
    ];

    public static TheoryData<TableChecksum[], string[]> Cases => new()
    {
        { [new("public", "orders", 3, "aaa"), new("sales", "events", 2, "bbb")], [] },
        { [new("sales", "events", 2, "bbb"), new("public", "orders", 3, "aaa")], [] },
        { [new("public", "orders", 2, "zzz"), new("sales", "events", 2, "bbb")], ["public.orders: 2 row(s) where the snapshot has 3"] },
        { [new("public", "orders", 3, "zzz"), new("sales", "events", 2, "bbb")], ["public.orders: same row count, different contents"] },
        { [new("public", "orders", 3, "aaa")], ["sales.events: missing from the restored database"] },
        { [new("public", "orders", 3, "aaa"), new("sales", "events", 2, "bbb"), new("public", "extra", 0, "x")], ["public.extra: not in the snapshot"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compare_RestoredAgainstSnapshot_NamesEveryDifference(TableChecksum[] restored, string[] expected)
    {
        var mismatches = TableChecksums.Compare(Snapshot, restored);

        Assert.Equal(expected, mismatches.Select(m => $"{m.Table}: {m.Reason}"));
    }
}
