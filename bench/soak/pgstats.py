"""Prints the soak's PostgreSQL samples per 30 s interval: where the time of an audited call goes on the server.

pgserver.tsv (cumulative, from the server): epoch, checkpoints, 0, audit_log INSERT calls and total ms,
audit_outcome INSERT calls and total ms, chain lock statement calls and total ms, WAL syncs and total sync ms.
pgstats.tsv (from the control database): epoch, audit_log MB, audit_outcome MB, dead rows, autovacuum+analyze runs, pending approvals.
"""
import sys


def rows(path):
    out = []
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        out.append([float(p) if p not in ("", "\\N") else 0.0 for p in parts])
    return out


server = rows(sys.argv[1])
tables = {int(r[0]) // 30: r for r in rows(sys.argv[2])}
print("soak: per 30 s on the server: t  checkpoints  audit_log-insert-ms(mean)  outcome-insert-ms  lock-stmt-ms  wal-syncs  wal-sync-ms(mean)  audit_log-MB  dead  autovac  pending")
t0 = server[0][0] if server else 0
for prev, cur in zip(server, server[1:]):
    def mean(calls, total):
        d = cur[calls] - prev[calls]
        return (cur[total] - prev[total]) / d if d > 0 else 0.0
    t = tables.get(int(cur[0]) // 30, [0, 0, 0, 0, 0, 0])
    print("soak:   %4ds  %3d  %7.2f  %7.2f  %8.2f  %6d  %6.2f  %5d  %5d  %4d  %5d" % (
        cur[0] - t0, cur[1], mean(3, 4), mean(5, 6), mean(7, 8), cur[9] - prev[9], mean(9, 10),
        t[1], t[3], t[4], t[5]))
