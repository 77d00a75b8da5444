#!/usr/bin/env bash
# One MCP caller sending `SELECT 1` for N seconds, in one run, three ways, all driven by the official
# MCP TypeScript SDK client (bench/mcp/load.mjs) against one PostgreSQL 17 container on 127.0.0.1:
#   - Rose over stdio: `rose mcp` relaying each sql_execute call to the console (audited, channel mcp);
#   - Rose over HTTP: the console's own /mcp endpoint (audited);
#   - the reference: npm @modelcontextprotocol/server-postgres and its `query` tool (unaudited).
# Rose's console runs from a Release build with its control and target databases in the same
# container. Prints its summary line last:
#   mcp: rose_stdio_per_s=N rose_http_per_s=N reference_per_s=M
# Usage: bench/mcp.sh [seconds-per-case]   (default 10; run from anywhere)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds="${1:-10}"
image="${ROSE_BENCH_PG_IMAGE:-rose-pg:17}"

bench_init bench-mcp
dotnet build src/Rose.Console -c Release -v quiet -nologo >/dev/null
dotnet build src/Rose.Cli -c Release -v quiet -nologo >/dev/null
[ -d bench/mcp/node_modules/@modelcontextprotocol/server-postgres ] || npm ci --prefix bench/mcp --no-audit --no-fund >/dev/null
bench_console_bin Release
rose_bin="$bench_root/$(ls -t src/Rose.Cli/bin/Release/*/rose | head -1)"

# fsync off for every side alike: the reference writes nothing, Rose writes its audit rows.
bench_start_pg "$image" -c fsync=off -c synchronous_commit=off
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

echo "uptime at start: $(uptime)"
run() { SECONDS_TO_RUN="$seconds" node bench/mcp/load.mjs | tee -a "$work/results.jsonl"; }
MODE=reference PG_URL="postgresql://postgres:$password@127.0.0.1:$pg_port/bench_target" run
MODE=stdio ROSE_EXE="$rose_bin" ROSE_URL="http://127.0.0.1:$http_port" ROSE_KEY="$key" run
MODE=http MCP_URL="http://127.0.0.1:$http_port/mcp" ROSE_KEY="$key" run
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
