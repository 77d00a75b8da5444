// The big shared collection ("postgres") starts first, beside the classes with collections of their own,
// instead of wherever its name's hash puts it (see LongestCollectionFirst).
[assembly: TestCollectionOrderer("Rose.Tests.Shared.LongestCollectionFirst", "Rose.Console.Tests")]
