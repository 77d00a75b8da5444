// The big shared collection ("postgres") starts first, beside the classes with collections of their own,
// instead of wherever its name's hash puts it (see LongestCollectionFirst).
// The fault classes (Faults/: console processes killed, stalled or cut off from their databases) are in the
// second shared collection ("postgres-2") and run beside it: most of their time is spent waiting (timeouts
// running out, processes restarting, recovery), which left the second test thread idle for most of the run
// while "postgres" ran every class one after another. Each fault test has databases, proxies and console
// processes of its own and watches only its own tables and databases in pg_stat_activity and pg_locks.
[assembly: TestCollectionOrderer("Rose.Tests.Shared.LongestCollectionFirst", "Rose.Console.Tests")]
