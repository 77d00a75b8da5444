// The two big shared collections ("postgres", "postgres-2") start first, side by side, and the classes with
// collections of their own fill in after (see LongestCollectionFirst); by name, the big ones could start last.
[assembly: TestCollectionOrderer("Rose.Tests.Shared.LongestCollectionFirst", "Rose.Integration.Tests")]
