"""The soak's callers: N threads posting mixed SQL to /api/v1/sql/execute for a duration.

Each answer's audit id, status, kind and (for writes) row id goes to --out as TSV for the audit
cross-check; latencies and the console's RSS (sampled from /proc every 5 s) go to summary.json
next to it. Standard library only, so the soak needs nothing installed.
"""
import argparse
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--pid", type=int, required=True)
parser.add_argument("--duration", type=float, required=True)
parser.add_argument("--callers", type=int, required=True)
parser.add_argument("--out", required=True)
# A pause after each call keeps the offered load bounded on a shared machine (0: back to back).
parser.add_argument("--pause-ms", type=float, default=0.0)
# Calls before this many seconds are made (and cross-checked against the audit) but not measured: a cold
# console under 32 callers at once spends its first minute in JIT and pool growth (p99 of 18 s there), and a
# "first minute" of that makes the last-versus-first ratio meaningless.
parser.add_argument("--warmup", type=float, default=0.0)
args = parser.parse_args()

STATUS = {200: "succeeded", 202: "pending_approval", 403: "denied", 422: "failed"}
lock = threading.Lock()
calls = []      # (start offset s, latency ms, kind, http status)
rows = []       # (audit_id, status, kind, row_id)
errors = []
rss = []        # (offset s, MB)
probes = []     # (offset s, healthz ms, cpu ms): the same-run baseline, outside the audited path
loads = []      # (offset s, 1-minute load average)
start = time.monotonic() + args.warmup   # offsets are from the end of the warm-up; negative during it
end = start + args.duration


def rss_mb():
    with open(f"/proc/{args.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def post(sql):
    body = json.dumps({"database": "demo", "sql": sql, "reason": "soak"}).encode()
    req = urllib.request.Request(args.url + "/api/v1/sql/execute", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": "Bearer " + args.key})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def caller(n):
    rnd = random.Random(n)
    i = 0
    while time.monotonic() < end:
        i += 1
        pick = rnd.random()
        row_id = None
        if pick < 0.55:
            kind, sql = "read", "SELECT count(*), max(at) FROM soak_rows WHERE caller = %d" % n
        elif pick < 0.95:
            kind, row_id = "write", "c%d-%d" % (n, i)
            sql = "INSERT INTO soak_rows (id, caller) VALUES ('%s', %d)" % (row_id, n)
        else:
            # DROP needs approval under the development agent policy: parked, never run.
            kind, sql = "park", "DROP TABLE soak_parked_%d_%d" % (n, i)
        t0 = time.monotonic()
        try:
            status, answer = post(sql)
        except Exception as e:  # a refused or reset connection is a failure of the soak
            with lock:
                errors.append(repr(e))
            continue
        latency = (time.monotonic() - t0) * 1000
        with lock:
            calls.append((t0 - start, latency, kind, status))
            if "audit_id" in answer:
                rows.append((answer["audit_id"], STATUS.get(status, str(status)), kind, row_id))
            else:
                errors.append("HTTP %d without audit_id: %s" % (status, json.dumps(answer)[:200]))
        if args.pause_ms:
            time.sleep(args.pause_ms / 1000)


def sampler():
    while time.monotonic() < end:
        rss.append((time.monotonic() - start, rss_mb()))
        loads.append((time.monotonic() - start, os.getloadavg()[0]))
        time.sleep(5)
    rss.append((time.monotonic() - start, rss_mb()))


def cpu_ms():
    """A fixed slice of pure CPU work in this process: how long it takes says how busy the machine is."""
    t0 = time.monotonic()
    x = 0
    for i in range(20000):
        x += i * i
    return (time.monotonic() - t0) * 1000


def prober():
    """The baseline: /healthz of the same console (same process, same HTTP stack, no database, no
    audit) and a fixed CPU slice, 4 times a second. When the callers' p99 drifts and these drift with
    it, the machine (or the process as a whole) got slower; when only the callers' p99 drifts, the
    audited path did."""
    while time.monotonic() < end:
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(args.url + "/healthz", timeout=30) as r:
                r.read()
            http_ms = (time.monotonic() - t0) * 1000
        except Exception:
            http_ms = float("nan")
        probes.append((t0 - start, http_ms, cpu_ms()))
        time.sleep(0.25)


threads = [threading.Thread(target=caller, args=(n,)) for n in range(1, args.callers + 1)]
threads.append(threading.Thread(target=sampler))
threads.append(threading.Thread(target=prober))
for t in threads:
    t.start()
for t in threads:
    t.join()

with open(args.out, "w") as f:
    for audit_id, status, kind, row_id in rows:
        f.write("%d\t%s\t%s\t%s\n" % (audit_id, status, kind, row_id if row_id else "\\N"))

window = min(60.0, args.duration / 3)


def p99(latencies):
    latencies = sorted(latencies)
    return latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0


first = [c[1] for c in calls if 0 <= c[0] < window]
last = [c[1] for c in calls if c[0] >= args.duration - window]
warm = [m for (t, m) in rss if t >= window] or [rss[-1][1]]
def windows():
    """Per window: calls, p99 of every kind, the baseline's p99, the load average: where a drift comes from."""
    out = []
    t = 0.0
    while t < args.duration - 1:
        inside = [c for c in calls if t <= c[0] < t + window]
        probe = [p for p in probes if t <= p[0] < t + window]
        load = [l for (o, l) in loads if t <= o < t + window]
        out.append({
            "from_s": round(t),
            "calls": len(inside),
            "p50_ms": round(sorted(c[1] for c in inside)[len(inside) // 2], 1) if inside else 0.0,
            "p99_ms": round(p99([c[1] for c in inside]), 1),
            "p99_read_ms": round(p99([c[1] for c in inside if c[2] == "read"]), 1),
            "p99_write_ms": round(p99([c[1] for c in inside if c[2] == "write"]), 1),
            "p99_park_ms": round(p99([c[1] for c in inside if c[2] == "park"]), 1),
            "p99_healthz_ms": round(p99([p[1] for p in probe if p[1] == p[1]]), 1),
            "p99_cpu_ms": round(p99([p[2] for p in probe]), 2),
            "load": round(sum(load) / len(load), 1) if load else 0.0,
        })
        t += window
    return out


summary = {
    "calls": len(calls),
    "warmup_calls": sum(1 for c in calls if c[0] < 0),
    "per_s": sum(1 for c in calls if c[0] >= 0) / args.duration,
    "errors": errors[:20],
    "error_count": len(errors),
    "unexpected_status": sum(1 for c in calls if c[3] not in (200, 202)),
    "window_s": window,
    "p99_first_ms": p99(first),
    "p99_last_ms": p99(last),
    "rss_warm_mb": warm[0],
    "rss_end_mb": rss[-1][1],
    "rss_max_mb": max(m for (_, m) in rss),
    "kinds": {k: sum(1 for c in calls if c[2] == k) for k in ("read", "write", "park")},
    "windows": windows(),
}
with open(os.path.join(os.path.dirname(args.out), "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
