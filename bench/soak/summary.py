"""Judges a soak run: prints the details and the summary line, exits 1 when an invariant fails."""
import json
import sys

summary = json.load(open(sys.argv[1]))
lost = int(sys.argv[2])
verify = json.loads(sys.argv[3])
growth = summary["rss_end_mb"] - summary["rss_warm_mb"]
ratio = summary["p99_last_ms"] / summary["p99_first_ms"] if summary["p99_first_ms"] else 0.0
print("soak: calls by kind %s; %d answers other than 200/202; %d caller errors %s" % (
    summary["kinds"], summary["unexpected_status"], summary["error_count"], summary["errors"][:3]))
print("soak: rss warm %.0f MB, end %.0f MB, max %.0f MB; p99 windows of %.0f s" % (
    summary["rss_warm_mb"], summary["rss_end_mb"], summary["rss_max_mb"], summary["window_s"]))
print("soak: window  calls  p50  p99 (read write park)  baseline: healthz-p99 cpu-p99  load")
for w in summary.get("windows", []):
    print("soak: %5ds %6d %5.0f %5.0f (%5.0f %5.0f %5.0f)  %6.1f %6.2f  %5.1f" % (
        w["from_s"], w["calls"], w["p50_ms"], w["p99_ms"], w["p99_read_ms"], w["p99_write_ms"], w["p99_park_ms"],
        w["p99_healthz_ms"], w["p99_cpu_ms"], w["load"]))
ws = summary.get("windows", [])
if len(ws) >= 2 and ws[0]["p99_healthz_ms"] and ws[0]["p99_cpu_ms"]:
    # The same-run baseline: how much slower the machine / the process got, with no audit in the path.
    print("soak: baseline ratios last/first: healthz p99 %.2f, cpu p99 %.2f" % (
        ws[-1]["p99_healthz_ms"] / ws[0]["p99_healthz_ms"], ws[-1]["p99_cpu_ms"] / ws[0]["p99_cpu_ms"]))
failures = []
if lost:
    failures.append("%d audit rows lost or different from what callers saw" % lost)
if not verify.get("valid"):
    failures.append("chain verify failed: %s" % verify.get("problem"))
if summary["error_count"] or summary["unexpected_status"]:
    failures.append("callers saw errors")
if growth > 64:
    failures.append("RSS grew %.0f MB (limit 64)" % growth)
if ratio > 1.5:
    failures.append("p99 of the last window is %.2fx the first (limit 1.5)" % ratio)
for f in failures:
    print("soak: FAIL " + f)
print("soak: calls=%d per_s=%.1f lost=%d rss_growth_mb=%.1f p99_first_ms=%.1f p99_last_ms=%.1f p99_ratio=%.2f" % (
    summary["calls"], summary["per_s"], lost, growth, summary["p99_first_ms"], summary["p99_last_ms"], ratio))
sys.exit(1 if failures else 0)
