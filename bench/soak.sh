#!/usr/bin/env bash
# Soak: the built console under 32 callers of mixed reads, writes and parked approvals through the
# HTTP API for a while (default 10 minutes), against its own PostgreSQL 17 container. Passes when
#   - no audit row is lost: every answer a caller got names an audit row that exists with the
#     outcome the caller saw, the target holds exactly the rows whose INSERT succeeded, and the
#     chain verifies (GET /api/v1/audit/verify);
#   - the console's RSS grows by at most 64 MB from the end of the first minute to the end;
#   - the p99 latency of the last minute is at most 1.5x that of the first.
# Prints its summary line last:
#   soak: calls=N per_s=R lost=0 rss_growth_mb=G p99_first_ms=A p99_last_ms=B p99_ratio=X
# Usage: bench/soak.sh [duration-seconds] [callers] [pause-ms]   (defaults 600, 32 and 0: each caller
# pauses that long after every answer, to bound the load on a shared machine)
# ROSE_SOAK_CONFIG=Debug uses the Debug build instead of building Release. ROSE_SOAK_WARMUP (default 60)
# seconds of calls come first, cross-checked against the audit like every call but not measured.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration="${1:-600}"
callers="${2:-32}"
pause_ms="${3:-0}"
warmup="${ROSE_SOAK_WARMUP:-60}"   # seconds of calls before the measured duration (see bench/soak/load.py)
config="${ROSE_SOAK_CONFIG:-Release}"
image="${ROSE_SOAK_PG_IMAGE:-rose-pg:17}"

bench_init soak
if [ "$config" = Release ]; then
  dotnet build src/Rose.Console -c Release -v quiet -nologo >/dev/null
fi
bench_console_bin "$config"
[ -x "$console_bin" ] || { echo "soak: no built console under src/Rose.Console/bin/$config" >&2; exit 1; }
[ -x "$psql_bin" ] || { echo "soak: no psql 17 under .tools/pg-client (scripts/lib.sh fetches it)" >&2; exit 1; }

# pg_stat_statements and WAL timing: the server's own time per statement and per WAL flush, so a drift
# can be placed in the console, in PostgreSQL, or in the disk.
bench_start_pg "$image" -c max_connections=200 -c shared_preload_libraries=pg_stat_statements -c track_wal_io_timing=on
"$psql_bin" "$admin" -qc 'CREATE DATABASE soak_control' -c 'CREATE DATABASE soak_target' -c 'CREATE EXTENSION pg_stat_statements'
target="host=127.0.0.1 port=$pg_port user=postgres password=$password dbname=soak_target"
"$psql_bin" "$target" -qc 'CREATE TABLE soak_rows (id text PRIMARY KEY, caller int NOT NULL, at timestamptz NOT NULL DEFAULT now())'

key="rose_soak_key_$(bench_random_hex 12)"
bench_start_console soak Development \
  Rose__ControlConnection="$(bench_conn soak_control)" \
  Rose__Targets__demo__ConnectionString="$(bench_conn soak_target)" \
  Rose__Targets__demo__Environment=dev \
  Rose__Agents__rose__ApiKey="$key" \
  Rose__Auth__AgentRequestsPerMinute=1000000

# Evidence for a latency drift, every 30 s (cumulative; bench/soak/pgstats.py prints the per-interval
# figures): checkpoints, the audit tables' size, dead rows and autovacuum runs, pending approvals, the
# server's time in the audit INSERTs (pg_stat_statements), and WAL flushes (count, time).
control_db="${admin/dbname=postgres/dbname=soak_control}"
(
  while kill -0 "$console_pid" 2>/dev/null; do
    "$psql_bin" "$admin" -qAtF $'\t' -c "SELECT extract(epoch FROM now())::int,
        (SELECT num_timed + num_requested FROM pg_stat_checkpointer),
        0,
        (SELECT sum(calls) FROM pg_stat_statements WHERE query LIKE 'INSERT INTO rose.audit_log%'),
        (SELECT sum(total_exec_time) FROM pg_stat_statements WHERE query LIKE 'INSERT INTO rose.audit_log%'),
        (SELECT sum(calls) FROM pg_stat_statements WHERE query LIKE '%INSERT INTO rose.audit_outcome%'),
        (SELECT sum(total_exec_time) FROM pg_stat_statements WHERE query LIKE '%INSERT INTO rose.audit_outcome%'),
        (SELECT sum(calls) FROM pg_stat_statements WHERE query LIKE '%pg_advisory_xact_lock%'),
        (SELECT sum(total_exec_time) FROM pg_stat_statements WHERE query LIKE '%pg_advisory_xact_lock%'),
        wal_sync, wal_sync_time FROM pg_stat_wal" >>"$work/pgserver.tsv" 2>/dev/null || true
    "$psql_bin" "$control_db" -qAtF $'\t' -c "SELECT extract(epoch FROM now())::int,
        pg_total_relation_size('rose.audit_log') / 1048576, pg_total_relation_size('rose.audit_outcome') / 1048576,
        (SELECT sum(n_dead_tup) FROM pg_stat_user_tables WHERE schemaname = 'rose'),
        (SELECT sum(autovacuum_count + autoanalyze_count) FROM pg_stat_user_tables WHERE schemaname = 'rose'),
        (SELECT count(*) FROM rose.approvals WHERE status = 'pending')" >>"$work/pgstats.tsv" 2>/dev/null || true
    sleep 30
  done
) &
python3 bench/soak/load.py --url "http://127.0.0.1:$http_port" --key "$key" --pid "$console_pid" \
  --duration "$duration" --callers "$callers" --pause-ms "$pause_ms" --warmup "$warmup" --out "$work/calls.tsv"

# Every answer names its audit row: it must exist with the outcome the caller saw.
# A conninfo, not -d: psql's -d with a bare name would drop the host and port of the conninfo.
"$psql_bin" "${admin/dbname=postgres/dbname=soak_control}" -qc "CREATE TEMP TABLE seen (audit_id bigint, status text, kind text, row_id text)" \
  -c "\\copy seen FROM '$work/calls.tsv'" \
  -c "\\copy (SELECT count(*) FILTER (WHERE a.id IS NULL OR coalesce(o.status, 'running') <> s.status) FROM seen s LEFT JOIN rose.audit_log a ON a.id = s.audit_id LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id) TO '$work/lost'" \
  -c "\\copy (SELECT row_id FROM seen WHERE kind = 'write' AND status = 'succeeded' ORDER BY 1) TO '$work/written'" >/dev/null
"$psql_bin" "$target" -qAtc 'SELECT id FROM soak_rows ORDER BY 1' >"$work/held"
lost="$(cat "$work/lost")"
if ! diff -q "$work/written" "$work/held" >/dev/null; then
  echo "soak: the target's rows differ from the writes callers saw succeed:"; diff "$work/written" "$work/held" | head -5
  lost=$((lost + $(diff "$work/written" "$work/held" | grep -c '^[<>]' || true)))
fi
verify="$(curl -fs -H "Authorization: Bearer $key" "http://127.0.0.1:$http_port/api/v1/audit/verify")"
echo "soak: chain verify: $verify"
python3 bench/soak/pgstats.py "$work/pgserver.tsv" "$work/pgstats.tsv" || true
python3 bench/soak/summary.py "$work/summary.json" "$lost" "$verify"
