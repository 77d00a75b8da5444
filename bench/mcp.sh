#!/usr/bin/env bash
# One MCP caller sending `SELECT 1` for N seconds, in one run, three ways, all driven by the official
# MCP TypeScript SDK client (bench/mcp/load.mjs) against one PostgreSQL 17 container on 127.0.0.1 (host network):
#   - Rose over stdio: `rose mcp` relaying each sql_execute call to the console (audited, channel mcp);
#   - Rose over HTTP: the console's own /mcp endpoint (audited);
#   - the reference: npm @modelcontextprotocol/server-postgres and its `query` tool (unaudited).
# Rose's console runs from a Release build with its control and target databases in the same
# container. Prints its summary line last:
#   mcp: rose_stdio_per_s=N rose_http_per_s=N reference_per_s=M
# Usage: bench/mcp.sh [seconds-per-case]   (default 10; run from anywhere)
# ROSE_CONSOLE_BIN and ROSE_CLI_BIN time other builds of the console and `rose` (e.g. a "before" copied aside).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds="${1:-10}"
image="${ROSE_BENCH_PG_IMAGE:-rose-pg:17}"

bench_init bench-mcp
dotnet build src/Rose.Console -c Release -v quiet -nologo >/dev/null
dotnet build src/Rose.Cli -c Release -v quiet -nologo >/dev/null
[ -d bench/mcp/node_modules/@modelcontextprotocol/server-postgres ] || npm ci --prefix bench/mcp --no-audit --no-fund >/dev/null
bench_console_bin Release
rose_bin="${ROSE_CLI_BIN:-$bench_root/$(ls -t src/Rose.Cli/bin/Release/*/rose | head -1)}"

# fsync off for every side alike: the reference writes nothing, Rose writes its audit rows.
# PostgreSQL on the host's network (its own free port, 127.0.0.1 only): every client, Rose's console and the
# reference server alike, reaches it without Docker's userland port proxy, which added ~1 ms to each round
# trip on this machine and so measured the proxy more than either server. ROSE_BENCH_PG_NET=proxy keeps the
# published port (the figures before 2026-12-02).
if [ "${ROSE_BENCH_PG_NET:-host}" = proxy ]; then
  bench_start_pg "$image" -c fsync=off -c synchronous_commit=off
else
  pg_port="$(bench_free_port)"
  container="$(docker run -d --network host -e POSTGRES_PASSWORD="$password" -e PGPORT="$pg_port" "$image" \
    -c port="$pg_port" -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off)"
  admin="host=127.0.0.1 port=$pg_port user=postgres password=$password dbname=postgres"
  for _ in $(seq 1 60); do "$psql_bin" "$admin" -qAtc 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
fi
"$psql_bin" "$admin" -qc 'CREATE DATABASE bench_control' -c 'CREATE DATABASE bench_target'

key="rose_bench_key_$(bench_random_hex 12)"
bench_start_console mcp Production \
  Rose__ControlConnection="$(bench_conn bench_control)" \
  Rose__Targets__bench__ConnectionString="$(bench_conn bench_target)" \
  Rose__Targets__bench__Environment=dev \
  Rose__Agents__bench__ApiKey="$key" \
  Rose__Agents__bench__Policy__allowed_databases__0=bench \
  Rose__Agents__bench__Policy__allowed_operations__0=SELECT \
  Rose__Agents__bench__Policy__environment=dev \
  Rose__Auth__AgentRequestsPerMinute=100000000

run() { SECONDS_TO_RUN="$seconds" WARMUP_SECONDS="${WARMUP_SECONDS:-3}" node bench/mcp/load.mjs | tee -a "$work/results.jsonl"; }
reference() { MODE=reference PG_URL="postgresql://postgres:$password@127.0.0.1:$pg_port/bench_target" run; }
stdio() { MODE=stdio ROSE_EXE="$rose_bin" ROSE_URL="http://127.0.0.1:$http_port" ROSE_KEY="$key" run; }
http() { MODE=http MCP_URL="http://127.0.0.1:$http_port/mcp" ROSE_KEY="$key" run; }

# Warm-up of the console (its results are not kept): a console seconds old still compiles its hot paths again
# at tier 1 on a background thread (perf put ~40% of its CPU in the JIT during a measured run started 8 s
# after start), which measured the JIT, not the server. Each warm-up settles (load.mjs: until the call rate
# stops rising, at most SETTLE_MAX_SECONDS); then wait until the console is idle (< 5 CPU ticks a second, at
# most 30 s). Each `rose mcp` and the reference are new processes per run: load.mjs settles each the same way.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$console_pid/stat"; }
seconds="${MCP_WARMUP_SECONDS:-5}" stdio >/dev/null
seconds="${MCP_WARMUP_SECONDS:-5}" http >/dev/null
: >"$work/results.jsonl"
for _ in $(seq 1 30); do t0="$(cpu_ticks)"; sleep 1; (( $(cpu_ticks) - t0 < 5 )) && break; done

echo "uptime at start: $(uptime)"
reference
stdio
http
echo "uptime at end: $(uptime)"

# Every Rose call is audited: the two Rose runs must have left at least their calls in the audit log.
audited="$("$psql_bin" "${admin/dbname=postgres/dbname=bench_control}" -qAtc "SELECT count(*) FROM rose.audit_log WHERE channel = 'mcp'")"
echo "audit rows on channel mcp: $audited"
python3 - "$work/results.jsonl" "$audited" <<'EOF'
import json, sys
rows = {r["mode"]: r for r in map(json.loads, open(sys.argv[1]))}
rose_calls = rows["stdio"]["calls"] + rows["http"]["calls"]
if int(sys.argv[2]) < rose_calls:
    sys.exit(f"mcp: {rose_calls} Rose calls but only {sys.argv[2]} audit rows on channel mcp")
print(f"mcp: rose_stdio_per_s={rows['stdio']['per_s']} rose_http_per_s={rows['http']['per_s']} reference_per_s={rows['reference']['per_s']}")
EOF
