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
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-10}"
image="${ROSE_BENCH_PG_IMAGE:-rose-pg:17}"

bash -c 'source scripts/lib.sh; ensure_libpg_query17' >/dev/null
dotnet build src/Rose.Console -c Release -v quiet -nologo >/dev/null
dotnet build src/Rose.Cli -c Release -v quiet -nologo >/dev/null
[ -d bench/mcp/node_modules/@modelcontextprotocol/server-postgres ] || npm ci --prefix bench/mcp --no-audit --no-fund >/dev/null
console_bin="$root/$(ls -t src/Rose.Console/bin/Release/*/Rose.Console | head -1)"
rose_bin="$root/$(ls -t src/Rose.Cli/bin/Release/*/rose | head -1)"
psql_bin="$(ls -d .tools/pg-client/17-*/bin | head -1)/psql"

work="$(mktemp -d /tmp/rose-bench-mcp.XXXXXX)"
password="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
container=""
console_pid=""
cleanup() {
  [ -n "$console_pid" ] && kill "$console_pid" 2>/dev/null || true
  [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# fsync off for every side alike: the reference writes nothing, Rose writes its audit rows.
container="$(docker run -d -e POSTGRES_PASSWORD="$password" -p 127.0.0.1::5432 "$image" -c fsync=off -c synchronous_commit=off)"
pg_port="$(docker port "$container" 5432/tcp | head -1 | sed 's/.*://')"
admin="host=127.0.0.1 port=$pg_port user=postgres password=$password dbname=postgres"
for _ in $(seq 1 60); do "$psql_bin" "$admin" -qAtc 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
"$psql_bin" "$admin" -qc 'CREATE DATABASE bench_control' -c 'CREATE DATABASE bench_target'

key="rose_bench_key_$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
http_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
(
  cd "$(dirname "$console_bin")"
  ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$http_port" Logging__LogLevel__Default=Warning \
  Rose__ControlConnection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$password;Database=bench_control" \
  Rose__DataDir="$work/data" \
  Rose__Targets__bench__ConnectionString="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$password;Database=bench_target" \
  Rose__Targets__bench__Environment=dev \
  Rose__Agents__bench__ApiKey="$key" \
  Rose__Agents__bench__Policy__allowed_databases__0=bench \
  Rose__Agents__bench__Policy__allowed_operations__0=SELECT \
  Rose__Agents__bench__Policy__environment=dev \
  Rose__Auth__AgentRequestsPerMinute=100000000 \
  exec "$console_bin" >"$work/console.log" 2>&1
) &
console_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null || { echo "mcp: the console did not start"; tail -40 "$work/console.log"; exit 1; }

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
