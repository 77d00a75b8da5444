#!/usr/bin/env bash
# Audit pages at 10M rows: seeds a throwaway control database and reports the server time
# (EXPLAIN ANALYZE "Execution Time") of the audit page's filtered first page and a deep keyset page,
# each against a plain primary-key SELECT of the same rows. Usage:
#   bench/audit-pages/run.sh [ROWS] [RUNS]        (defaults 10000000, 50)
# With ROSE_BENCH_PG="host=... port=... user=..." it uses that server (a throwaway database on it);
# otherwise it starts a private PostgreSQL 15 cluster in a temp dir and deletes it afterwards.
# ROSE_BENCH_REUSE="host=... port=... user=... dbname=..." times an already seeded database (no seeding, no clean-up).
set -euo pipefail
ROWS=${1:-10000000}
RUNS=${2:-50}
WINDOW=${ROSE_BENCH_TEXT_WINDOW:-10000}
HERE=$(cd "$(dirname "$0")" && pwd)
SCHEMA=$HERE/../../src/Rose.Core/Control/Schema
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB=rose_bench_audit_$$
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -n "${ROSE_BENCH_REUSE:-}" ]; then
  Q() { psql "$ROSE_BENCH_REUSE" -v ON_ERROR_STOP=1 -qAt "$@"; }
  Q -c "SELECT version()" | head -1
elif [ -z "${ROSE_BENCH_PG:-}" ]; then
  DIR=$(mktemp -d /tmp/rose-bench-audit-XXXX); chmod 755 "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  PORT=$((20000 + RANDOM % 20000))
  as_pg "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
  cat >> "$DIR/data/postgresql.conf" <<CONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 2GB
work_mem = 16MB
maintenance_work_mem = 2GB
max_wal_size = 8GB
max_parallel_maintenance_workers = 2
CONF
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null
  trap 'as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null; rm -rf "$DIR"' EXIT
  CONN="host=$DIR port=$PORT user=postgres"
else
  CONN=$ROSE_BENCH_PG
  trap 'psql "$CONN dbname=postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
fi

if [ -z "${ROSE_BENCH_REUSE:-}" ]; then
psql "$CONN dbname=postgres" -qc "CREATE DATABASE $DB" >/dev/null
Q() { psql "$CONN dbname=$DB" -v ON_ERROR_STOP=1 -qAt "$@"; }
Q -c "SELECT version()" | head -1
Q -f "$SCHEMA/V001__control_schema.sql" >/dev/null
Q -f "$SCHEMA/V002__approval_policy_snapshot.sql" >/dev/null

start=$(date +%s)
# Bulk load: the secondary indexes and the outcome's foreign key go on after the rows (one sorted build
# each, one join for the key) instead of being maintained row by row; same names and definitions as V001.
Q -c "DROP INDEX rose.audit_log_occurred_idx, rose.audit_log_database_idx, rose.audit_log_executor_idx, rose.audit_outcome_status_idx" \
  -c "ALTER TABLE rose.audit_outcome DROP CONSTRAINT audit_outcome_audit_id_fkey" >/dev/null
Q -v rows="$ROWS" -f "$HERE/seed.sql" >/dev/null
seeded=$(date +%s)
Q -c "SET max_parallel_maintenance_workers = 2" \
  -c "CREATE INDEX audit_log_occurred_idx ON rose.audit_log (occurred_at DESC, id DESC)" \
  -c "CREATE INDEX audit_log_database_idx ON rose.audit_log (database_name, id DESC)" \
  -c "CREATE INDEX audit_log_executor_idx ON rose.audit_log (executor_id, id DESC)" \
  -c "CREATE INDEX audit_outcome_status_idx ON rose.audit_outcome (status, audit_id DESC)" \
  -c "ALTER TABLE rose.audit_outcome ADD CONSTRAINT audit_outcome_audit_id_fkey FOREIGN KEY (audit_id) REFERENCES rose.audit_log (id)" >/dev/null
# The browse indexes go on after the load, as a bulk build (what an upgrade of a big log does too).
# V020 creates pg_trgm and the filter indexes, V252 the one trigram index over sql_text and reason.
Q -f "$SCHEMA"/V020__audit_browse_indexes.sql >/dev/null 2>&1
Q -f "$SCHEMA"/V252__audit_text_trgm.sql >/dev/null 2>&1
Q -c "VACUUM (ANALYZE) rose.audit_log" -c "VACUUM (ANALYZE) rose.audit_outcome" >/dev/null
indexed=$(date +%s)
echo "seeded $ROWS rows in $((seeded - start)) s; indexes + vacuum analyze in $((indexed - seeded)) s; total $((indexed - start)) s"
fi
Q -c "SELECT 'audit_log ' || pg_size_pretty(pg_total_relation_size('rose.audit_log')) || ', audit_outcome ' || pg_size_pretty(pg_total_relation_size('rose.audit_outcome'))"

COLS="a.id, a.occurred_at, a.executor_id, a.executor_name, a.executor_kind, a.provider, a.channel, a.database_name, a.reason, a.sql_text, a.sql_length, a.sql_hash, a.operations, a.decision, a.decision_reasons, a.approval_id, a.approved_by, coalesce(o.status, 'running'), o.finished_at, o.rows_affected, o.duration_ms, o.error_sqlstate, o.error_message, o.statements::text"
FROM="FROM rose.audit_log a LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id"

# Times RUNS executions of one query in one session (after one warm-up); prints p50 p95 in ms.
time_query() {
  local sql=$1 f; f=$(mktemp)
  { echo "$sql;"; for _ in $(seq "$RUNS"); do echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $sql;"; done; } > "$f"
  Q -f "$f" | sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' | sort -g \
    | awk '{ v[NR] = $1 } END { i50 = int(NR * 0.50 + 0.5); i95 = int(NR * 0.95 + 0.5); if (i95 < 1) i95 = 1; printf "%.3f %.3f", v[i50], v[i95] }'
  rm -f "$f"
}

printf '\n%-24s %-10s %9s %9s %9s %9s %7s %s\n' case page p50_ms p95_ms base_p50 base_p95 ratio rows
grep -v '^#' "$HERE/queries.txt" | while IFS='|' read -r name where deep; do
  for page in first deep; do
    if [ "$page" = deep ]; then
      [ -z "$deep" ] && continue
      cursor=" AND a.id < $deep"
      case "$where" in *o.status*) cursor="$cursor AND o.audit_id < $deep" ;; esac
    else
      cursor=""
    fi
    # The shape AuditSql builds: ids first, then the wide rows for those ids.
    ids_sql="SELECT a.id $FROM WHERE true AND $where$cursor ORDER BY a.id DESC LIMIT 51"
    case "$where" in text:*)
      # Text search: the newest WINDOW ids below the page start walked by primary key with the plain test,
      # the rest (only when those hold fewer than a page) from the trigram index (AuditSql.DefaultTextWalkWindow).
      term=${where#text:}
      plain="(a.sql_text ILIKE '%$term%' OR a.reason ILIKE '%$term%')"
      indexed="(a.sql_text || E'\\n' || coalesce(a.reason, '')) ILIKE '%$term%' AND $plain"
      if [ "$page" = deep ]; then lo="$deep::bigint - $WINDOW"; else lo="(SELECT coalesce(max(x.id), 0) FROM rose.audit_log x) - $WINDOW"; fi
      ids_sql="WITH recent AS MATERIALIZED (SELECT a.id $FROM WHERE true AND $plain$cursor AND a.id >= $lo ORDER BY a.id DESC LIMIT 51) SELECT id FROM recent UNION ALL (SELECT a.id $FROM WHERE true AND $indexed$cursor AND a.id < $lo AND (SELECT count(*) FROM recent) < 51 ORDER BY a.id DESC LIMIT 51)" ;;
    esac
    sql="SELECT $COLS FROM ($ids_sql) page JOIN rose.audit_log a ON a.id = page.id LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id ORDER BY a.id DESC LIMIT 51"
    ids=$(Q -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id DESC), '') FROM ($sql) p(id)")
    n=$(awk -F, '{ print ($0 == "" ? 0 : NF) }' <<< "$ids")
    base="SELECT $COLS $FROM WHERE a.id = ANY ('{$ids}'::bigint[]) ORDER BY a.id DESC"
    read -r p50 p95 <<< "$(time_query "$sql")"
    read -r b50 b95 <<< "$(time_query "$base")"
    ratio=$(awk -v a="$p95" -v b="$b95" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
    printf '%-24s %-10s %9s %9s %9s %9s %7s %s\n' "$name" "$page" "$p50" "$p95" "$b50" "$b95" "$ratio" "$n"
  done
done
