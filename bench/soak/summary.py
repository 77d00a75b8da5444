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
