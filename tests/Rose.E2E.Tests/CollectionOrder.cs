// The biggest shared collection starts first, beside the small ones (see LongestCollectionFirst).
[assembly: TestCollectionOrderer("Rose.Tests.Shared.LongestCollectionFirst", "Rose.E2E.Tests")]
