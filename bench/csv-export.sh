#!/usr/bin/env bash
# Workbench CSV export benchmark: streams ROWS rows (default 5,000,000) to CSV through the real
# console's export path (POST /workbench/export: policy check, audit, executor with a streaming
# row sink, RFC 4180 writer), samples the console's RSS while it runs, and compares throughput
# with psql's \copy of the same query on the same server.
#
# Usage: bench/csv-export.sh [ROWS] [RUNS]        (needs a built console: dotnet build Rose.Console.sln [-c Release])
# Env:   CONFIGURATION=Debug|Release (default: the newest build found), ROSE_CONSOLE_BIN=a Rose.Console binary to use instead, KEEP=1 keeps the temp dir,
#        BENCH_TARGET_EXTRA=';Read Buffer Size=262144' appends settings to the target's connection string.
set -euo pipefail
source "$(dirname "$0")/lib.sh"   # bench_free_port (this benchmark runs PostgreSQL from the host's binaries, not a container)

ROWS=${1:-5000000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
BIN=${ROSE_CONSOLE_BIN:-}; [[ -n "$BIN" ]] || BIN=$(find "$ROOT"/src/Rose.Console/bin/${CONFIGURATION:-*} -type f -name Rose.Console -printf "%T@ %p\n" 2>/dev/null | sort -rn | head -1 | cut -d" " -f2- || true)
[[ -x "$BIN" ]] || { echo "Build the console first: dotnet build Rose.Console.sln" >&2; exit 1; }

WORK=$(mktemp -d /tmp/rose-bench-csv.XXXXXX)
PGPORT=$(bench_free_port)
WEBPORT=$(bench_free_port)
AS_PG=()
if [[ $(id -u) -eq 0 ]]; then AS_PG=(runuser -u postgres --); chown postgres "$WORK"; fi
CONSOLE_PID=

cleanup() {
    [[ -n "$CONSOLE_PID" ]] && kill "$CONSOLE_PID" 2>/dev/null && wait "$CONSOLE_PID" 2>/dev/null || true
    "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
    [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

echo "== throwaway PostgreSQL on 127.0.0.1:$PGPORT"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$WORK/data" -U postgres -A trust >/dev/null
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w \
    -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench_control" -c "CREATE DATABASE bench_target"
echo "== $ROWS rows in bench_target.events"
"${PSQL[@]}" -d bench_target -c "CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, payload text, amount numeric(12,2), at timestamptz NOT NULL)" \
    -c "INSERT INTO events SELECT g, (ARRAY['click','view','buy'])[1 + g % 3], 'payload, \"quoted\" ' || g, g / 100.0, timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, $ROWS) g" \
    -c "VACUUM ANALYZE events"
QUERY="SELECT id, kind, payload, amount, at FROM events ORDER BY id"
TARGET="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=bench_target${BENCH_TARGET_EXTRA:-}"

echo "== console $BIN on 127.0.0.1:$WEBPORT"
ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$WEBPORT" Logging__LogLevel__Default=Warning \
Rose__ControlConnection="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=bench_control" \
Rose__Targets__demo__ConnectionString="$TARGET" Rose__Targets__demo__Environment=dev \
Rose__Targets__demo__StatementTimeoutSeconds=900 Rose__Agents__rose__ApiKey=rose_bench_agent_key_0123456789abcdef \
    "$BIN" >"$WORK/console.log" 2>&1 &
CONSOLE_PID=$!
for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$WEBPORT/readyz" >/dev/null && break; sleep 0.25; done
curl -fs "http://127.0.0.1:$WEBPORT/readyz" >/dev/null || { cat "$WORK/console.log"; exit 1; }

# Sign in as the operator alice, then take the antiforgery token the workbench page carries.
JAR="$WORK/cookies"
curl -fs -c "$JAR" -b "$JAR" -o /dev/null "http://127.0.0.1:$WEBPORT/dev/login?user=alice&returnUrl=/workbench"
XSRF=$(curl -fs -c "$JAR" -b "$JAR" "http://127.0.0.1:$WEBPORT/workbench" | grep -o 'name="__RequestVerificationToken"[^>]*value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
[[ -n "$XSRF" ]] || { echo "no antiforgery token on /workbench" >&2; exit 1; }

rss() { awk '/VmRSS/ {print $2}' "/proc/$CONSOLE_PID/status"; }
cpu_ticks() { awk '{print $14, $15}' "/proc/$CONSOLE_PID/stat"; }
# Warm-up: JIT and pools, so the measured run is the steady state. A console seconds old is still
# compiling its hot methods again at tier 1 on a background thread (perf put 40% of the console's CPU on
# the tiered-compilation thread during a measured run started right after one small export); so export
# twice, then wait until the console is idle (under 5 CPU ticks a second, at most 60 s).
for _ in 1 2; do
    curl -fs -b "$JAR" -o /dev/null --data-urlencode "__RequestVerificationToken=$XSRF" --data-urlencode database=demo \
        --data-urlencode "sql=SELECT * FROM events ORDER BY id LIMIT 200000" "http://127.0.0.1:$WEBPORT/workbench/export"
done
for _ in $(seq 1 60); do
    read -r u0 s0 < <(cpu_ticks); sleep 1; read -r u1 s1 < <(cpu_ticks)
    (( u1 + s1 - u0 - s0 < 5 )) && break
done
RSS_BEFORE=$(rss)

# The two sides take turns, RUNS times each, and the ratio is of the medians: on this shared 2-core
# machine one pair of runs can differ by 2x from the next (psql alone took 4-25 s for the same COPY).
SAMPLES="$WORK/rss.txt"; : >"$SAMPLES"
( while kill -0 "$CONSOLE_PID" 2>/dev/null; do rss >>"$SAMPLES"; sleep 0.5; done ) &
SAMPLER=$!
TIMEFORMAT='%U %S'
TICK=$(getconf CLK_TCK)
CONSOLE_TIMES=(); PSQL_TIMES=()
for run in $(seq 1 "$RUNS"); do
    echo "== run $run of $RUNS: export through the console, then psql \\copy of the same query"
    read -r UTIME_BEFORE STIME_BEFORE < <(cpu_ticks)
    START=$(date +%s.%N)
    # Both sides write to /dev/null, so neither pays for a disk the other does not.
    BYTES=$(curl -fs -b "$JAR" -o /dev/null -w '%{size_download}' --data-urlencode "__RequestVerificationToken=$XSRF" --data-urlencode database=demo \
        --data-urlencode "reason=csv benchmark" --data-urlencode "sql=$QUERY" "http://127.0.0.1:$WEBPORT/workbench/export")
    END=$(date +%s.%N)
    read -r UTIME_AFTER STIME_AFTER < <(cpu_ticks)
    CONSOLE_TIMES+=("$(echo "$END - $START" | bc -l)")

    START=$(date +%s.%N)
    PSQL_CPU=$( { time "${PSQL[@]}" -d bench_target -c "\\copy ($QUERY) to stdout with (format csv, header)" >/dev/null; } 2>&1 )
    END=$(date +%s.%N)
    PSQL_TIMES+=("$(echo "$END - $START" | bc -l)")
    read -r PSQL_USER PSQL_SYS <<<"$PSQL_CPU"
    # CPU the client side spent (the server's COPY is the same for both): where a slow run's time went.
    printf 'console %6.2f s, CPU %.2f user + %.2f system | psql %6.2f s, CPU %.2f user + %.2f system | load %s\n' \
        "${CONSOLE_TIMES[-1]}" "$(echo "($UTIME_AFTER - $UTIME_BEFORE) / $TICK" | bc -l)" "$(echo "($STIME_AFTER - $STIME_BEFORE) / $TICK" | bc -l)" \
        "${PSQL_TIMES[-1]}" "$PSQL_USER" "$PSQL_SYS" "$(cut -d' ' -f1 /proc/loadavg)"
done
kill "$SAMPLER" 2>/dev/null || true
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
CONSOLE_S=$(median "${CONSOLE_TIMES[@]}")
PSQL_S=$(median "${PSQL_TIMES[@]}")

read -r RSS_MIN RSS_MAX RSS_N < <(sort -n "$SAMPLES" | awk 'NR==1{min=$1} {max=$1; n++} END {print min, max, n}')
printf '\nrows %d, console csv %.1f MB\n' "$ROWS" "$(echo "$BYTES / 1048576" | bc -l)"
printf 'console export : %6.2f s  %8.0f rows/s (median of %d)\n' "$CONSOLE_S" "$(echo "$ROWS / $CONSOLE_S" | bc -l)" "$RUNS"
printf 'psql \\copy     : %6.2f s  %8.0f rows/s (median of %d)\n' "$PSQL_S" "$(echo "$ROWS / $PSQL_S" | bc -l)" "$RUNS"
printf 'ratio console/psql time: %.2fx\n' "$(echo "$CONSOLE_S / $PSQL_S" | bc -l)"
printf 'console RSS: %d MB before, %d..%d MB during (%d samples every 0.5 s)\n' \
    $((RSS_BEFORE / 1024)) $((RSS_MIN / 1024)) $((RSS_MAX / 1024)) "$RSS_N"
# Summary (last line): throughput console / psql (1.0 = as fast as psql \copy) and RSS growth during the export.
printf 'csv: ratio=%.2f rss_growth_mb=%d\n' "$(echo "$PSQL_S / $CONSOLE_S" | bc -l)" $(((RSS_MAX - RSS_BEFORE) / 1024))
