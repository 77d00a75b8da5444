#!/usr/bin/env bash
# Audit pages at 10M rows: seeds a throwaway control database and reports the server time
# (EXPLAIN ANALYZE "Execution Time") of the audit page's filtered first page and a deep keyset page,
# each against a plain primary-key SELECT of the same rows; prints `audit-pages: worst_p95_ms=X` last
# (the worst over every query timed of its execution p95 plus its planning p95). Usage:
#   bench/audit-pages/run.sh [ROWS] [RUNS]        (defaults 10000000, 50)
# Where it runs, first that applies:
#   ROSE_BENCH_REUSE="host=... port=... user=... dbname=..."  times an already seeded database (no seeding, no clean-up)
#   ROSE_BENCH_PG="host=... port=... user=..."                 a throwaway database on that server
#   ROSE_BENCH_IMAGE=rose-pg:17                                a throwaway Docker container of that image, published on 127.0.0.1
#   otherwise                                                  a private PostgreSQL cluster ($PGBIN, default 15) in a temp dir
# ROSE_BENCH_SEED_JOBS (default 2): sessions loading rows at once. ROSE_BENCH_TEXT_WINDOW: the text walk window.
# ROSE_BENCH_QUERIES: another queries file (same format). ROSE_BENCH_GIN_MEM (default 2GB): maintenance_work_mem of the trigram index build.
# ROSE_BENCH_KEEP=1 with ROSE_BENCH_PG: keep the seeded database and print its ROSE_BENCH_REUSE value.
set -euo pipefail
ROWS=${1:-10000000}
RUNS=${2:-50}
WINDOW=${ROSE_BENCH_TEXT_WINDOW:-30000}   # text rows without a plan of their own
TIER=1000000                              # ids per trigram index (AuditTextTiers.Width, V266)
JOBS=${ROSE_BENCH_SEED_JOBS:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
SCHEMA=$HERE/../../src/Rose.Core/Control/Schema
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DB=rose_bench_audit_$$
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# Loading settings: fsync off, and wal_level minimal so rows loaded in the transaction that created or
# truncated their table skip the WAL.
SETTINGS=(fsync=off synchronous_commit=off full_page_writes=off wal_level=minimal max_wal_senders=0 shared_buffers=2GB
  work_mem=16MB maintenance_work_mem=1GB max_wal_size=8GB max_parallel_maintenance_workers=2)

if [ -n "${ROSE_BENCH_REUSE:-}" ]; then
  Q() { psql "$ROSE_BENCH_REUSE" -v ON_ERROR_STOP=1 -qAt "$@"; }
  Q -c "SELECT version()" | head -1
else
  if [ -n "${ROSE_BENCH_PG:-}" ]; then
    CONN=$ROSE_BENCH_PG
    if [ -n "${ROSE_BENCH_KEEP:-}" ]; then
      trap 'echo "kept: ROSE_BENCH_REUSE=\"$CONN dbname=$DB\""' EXIT
    else
      trap 'psql "$CONN dbname=postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
    fi
  elif [ -n "${ROSE_BENCH_IMAGE:-}" ]; then
    NAME=rose-bench-audit-$$; PORT=$((20000 + RANDOM % 20000)); export PGPASSWORD=bench
    docker run -d --name "$NAME" -p "127.0.0.1:$PORT:5432" -e POSTGRES_PASSWORD=bench --shm-size=2g "$ROSE_BENCH_IMAGE" \
      $(printf -- '-c %s ' "${SETTINGS[@]}") >/dev/null
    trap 'docker rm -f "$NAME" >/dev/null' EXIT
    CONN="host=127.0.0.1 port=$PORT user=postgres"
    for _ in $(seq 60); do psql "$CONN dbname=postgres" -qAtc "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
  else
    DIR=$(mktemp -d /tmp/rose-bench-audit-XXXX); chmod 755 "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    PORT=$((20000 + RANDOM % 20000))
    as_pg "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres >/dev/null
    { printf '%s\n' "port = $PORT" "listen_addresses = ''" "unix_socket_directories = '$DIR'"; printf '%s\n' "${SETTINGS[@]}" | sed 's/=/ = /'; } >> "$DIR/data/postgresql.conf"
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null
    trap 'as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null; rm -rf "$DIR"' EXIT
    CONN="host=$DIR port=$PORT user=postgres"
  fi
  psql "$CONN dbname=postgres" -qc "CREATE DATABASE $DB" >/dev/null
  Q() { psql "$CONN dbname=$DB" -v ON_ERROR_STOP=1 -qAt "$@"; }
  Q -c "SELECT version()" | head -1

  # The whole control schema, as Rose applies it (every script in version order), on the empty tables.
  start=$(date +%s)
  for f in $(ls "$SCHEMA"/V*.sql | sort -V); do Q -f "$f" >/dev/null 2>&1; done
  # Bulk load: audit_log's and audit_outcome's secondary indexes and the outcome's foreign key come off
  # for the load and go back on after it (one sorted build each instead of row-by-row maintenance);
  # their definitions are read back from the schema just applied, so they stay the product's.
  Q -c "SELECT indexdef FROM pg_indexes WHERE schemaname = 'rose' AND tablename IN ('audit_log', 'audit_outcome') AND indexname NOT LIKE '%pkey'" > "/tmp/$DB.indexes"
  Q -c "SELECT format('DROP INDEX rose.%I;', indexname) FROM pg_indexes WHERE schemaname = 'rose' AND tablename IN ('audit_log', 'audit_outcome') AND indexname NOT LIKE '%pkey'" | Q >/dev/null
  Q -c "ALTER TABLE rose.audit_outcome DROP CONSTRAINT audit_outcome_audit_id_fkey" >/dev/null
  schema=$(date +%s)
  # JOBS sessions each load one range of ids at once (ids and times follow the row number).
  per=$(( (ROWS + JOBS - 1) / JOBS )); pids=()
  for j in $(seq 0 $((JOBS - 1))); do
    lo=$((j * per + 1)); hi=$(( (j + 1) * per < ROWS ? (j + 1) * per : ROWS ))
    Q -v rows="$ROWS" -v lo="$lo" -v hi="$hi" -f "$HERE/seed.sql" >/dev/null & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  Q -c "SELECT setval(pg_get_serial_sequence('rose.audit_log', 'id'), $ROWS)" >/dev/null
  seeded=$(date +%s)
  # The outcome's foreign key goes back on at once but NOT VALID (no scan); its check (VALIDATE, which locks
  # audit_log only against writes) runs in the second session below, beside the trigram build.
  Q -c "ALTER TABLE rose.audit_outcome ADD CONSTRAINT audit_outcome_audit_id_fkey FOREIGN KEY (audit_id) REFERENCES rose.audit_log (id) NOT VALID" >/dev/null
  # Index builds in two sessions: the trigram GIN (the longest build; PostgreSQL 17 builds GIN in one
  # process, and more memory means fewer flushes of its entry lists) alone in one, with
  # ROSE_BENCH_GIN_MEM; the key check and every other index (btrees, which use parallel workers) in the other.
  # The trigram indexes are tiers of 1,000,000 ids (V266; AuditTextTiers); the schema made the empty log's first
  # two, and the console's keeper would build the rest: here every tier up to one past the newest row, each from
  # the schema's own definition of tier 0 with its name and range moved.
  awk '/gin_trgm_ops/ && /_t0 / { print $0 ";" }' "/tmp/$DB.indexes" > "/tmp/$DB.gin0"
  for k in $(seq 0 $(( ROWS / TIER + 1 ))); do
    sed -e "s/_t0 /_t$k /" -e "s/(id >= 0) AND (id < $TIER)/(id >= $((k * TIER))) AND (id < $(((k + 1) * TIER)))/" "/tmp/$DB.gin0"
  done > "/tmp/$DB.gin"
  rm -f "/tmp/$DB.gin0"
  awk '!/gin_trgm_ops/ { print $0 ";" }' "/tmp/$DB.indexes" > "/tmp/$DB.rest"
  t0=$(date +%s)
  { Q -c "SET maintenance_work_mem = '${ROSE_BENCH_GIN_MEM:-2GB}'" -f "/tmp/$DB.gin" >/dev/null; echo "$(grep -c . "/tmp/$DB.gin") trigram tiers $(( $(date +%s) - t0 )) s" > "/tmp/$DB.gin.t"; } & gin=$!
  Q -c "ALTER TABLE rose.audit_outcome VALIDATE CONSTRAINT audit_outcome_audit_id_fkey" -c "SET max_parallel_maintenance_workers = 2" -f "/tmp/$DB.rest" >/dev/null
  rest=$(( $(date +%s) - t0 ))
  wait "$gin"
  echo "index sessions: $(cat "/tmp/$DB.gin.t"); key check + $(grep -c . "/tmp/$DB.rest") other indexes $rest s"
  rm -f "/tmp/$DB.indexes" "/tmp/$DB.gin" "/tmp/$DB.rest" "/tmp/$DB.gin.t"
  built=$(date +%s)
  # Both tables at once (visibility map for index-only scans, planner statistics).
  Q -c "VACUUM (ANALYZE) rose.audit_log" >/dev/null & vac=$!
  Q -c "VACUUM (ANALYZE) rose.audit_outcome" >/dev/null
  wait "$vac"
  done_at=$(date +%s)
  echo "seeded $ROWS rows: schema $((schema - start)) s, rows $((seeded - schema)) s ($JOBS sessions), indexes + key $((built - seeded)) s, vacuum analyze $((done_at - built)) s; total $((done_at - start)) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
fi
Q -c "SELECT 'audit_log ' || pg_size_pretty(pg_total_relation_size('rose.audit_log')) || ', audit_outcome ' || pg_size_pretty(pg_total_relation_size('rose.audit_outcome'))"

COLS="a.id, a.occurred_at, a.executor_id, a.executor_name, a.executor_kind, a.provider, a.channel, a.database_name, a.reason, a.sql_text, a.sql_length, a.sql_hash, a.operations, a.decision, a.decision_reasons, a.approval_id, a.approved_by, coalesce(o.status, 'running'), o.finished_at, o.rows_affected, o.duration_ms, o.error_sqlstate, o.error_message, o.statements::text"
FROM="FROM rose.audit_log a LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id"

# Times RUNS executions of one query in one session (after one warm-up); prints the execution's p50 p95 and the
# planning's p50 p95 in ms (the page's statements are planned each time: their text carries the tier bounds).
time_query() {
  local sql=$1 f; f=$(mktemp)
  { echo "$sql;"; for _ in $(seq "$RUNS"); do echo "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) $sql;"; done; } > "$f"
  Q -f "$f" > "$f.out"
  for what in Execution Planning; do
    sed -n "s/^$what Time: \([0-9.]*\) ms$/\1/p" "$f.out" | sort -g \
      | awk '{ v[NR] = $1 } END { i50 = int(NR * 0.50 + 0.5); i95 = int(NR * 0.95 + 0.5); if (i95 < 1) i95 = 1; printf "%.3f %.3f ", v[i50], v[i95] }'
  done
  rm -f "$f" "$f.out"
}

WORST=$(mktemp)
echo 0 > "$WORST"
printf '\n%-24s %-10s %9s %9s %9s %9s %7s %9s %s\n' case page p50_ms p95_ms base_p50 base_p95 ratio plan_p95 rows
grep -v '^#' "${ROSE_BENCH_QUERIES:-$HERE/queries.txt}" | grep -E "${ROSE_BENCH_ONLY:-.}" | while IFS='|' read -r name where deep window part wpart first; do
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
      # Text search as AuditSql.TieredText builds it: the newest WINDOW ids below the page start walked by primary
      # key comparing the folded column (and on, see below); then each tier of TIER ids below the walk, newest first, asked through its
      # own trigram index (its range written as constants) for the whole term or, when the statistics chose one, a
      # rare PART, each query only while the ones before found less than a page; the plain ILIKE only on rows that
      # pass. (The ninth round's id-window columns of queries.txt are no longer read.)
      term=${where#text:}
      plain="(a.sql_text ILIKE '%$term%' OR a.reason ILIKE '%$term%')"
      folded="a.search_folded LIKE lower('%$term%')"
      walked="CASE WHEN $folded THEN $plain ELSE false END"
      indexed="$folded AND $plain"
      window=${window:-$WINDOW}
      [ -n "$part" ] && indexed="a.search_folded LIKE lower('%$part%') AND $walked"
      if [ "$page" = deep ]; then start=$deep; else start=$(( $(Q -c "SELECT coalesce(max(id), 0) FROM rose.audit_log") + 1 )); fi
      # The walk goes on four windows further when its first window held a fifth of a page (11 of 51); the tiers
      # cover that range only when it did not.
      lo=$((start - window)); lo2=$((lo - 4 * window))
      ctes="recent AS MATERIALIZED (SELECT a.id $FROM WHERE true AND $walked$cursor AND a.id >= $lo ORDER BY a.id DESC LIMIT 51), recent_n AS MATERIALIZED (SELECT (SELECT count(*) FROM recent) AS n)"
      ctes="$ctes, recent2 AS MATERIALIZED (SELECT a.id $FROM WHERE true AND $walked$cursor AND a.id >= $lo2 AND a.id < $lo AND (SELECT n FROM recent_n) >= 11 AND (SELECT n FROM recent_n) < 51 ORDER BY a.id DESC LIMIT 51)"
      ctes="$ctes, recent2_n AS MATERIALIZED (SELECT (SELECT n FROM recent_n) + (SELECT count(*) FROM recent2) AS n)"
      union="SELECT id FROM recent UNION ALL SELECT id FROM recent2"; prev=recent2_n
      if [ "$lo" -gt 0 ]; then
        for k in $(seq $(( (lo - 1) / TIER )) -1 0); do
          ctes="$ctes, t$k AS MATERIALIZED (SELECT a.id $FROM WHERE true AND $indexed$cursor AND a.id >= $((k * TIER)) AND a.id < $(((k + 1) * TIER)) AND a.id < $lo AND (a.id < $lo2 OR (SELECT n FROM recent_n) < 11) AND (SELECT n FROM $prev) < 51 ORDER BY a.id DESC LIMIT 51)"
          ctes="$ctes, t${k}_n AS MATERIALIZED (SELECT (SELECT n FROM $prev) + (SELECT count(*) FROM t$k) AS n)"
          union="$union UNION ALL SELECT id FROM t$k"; prev=t${k}_n
        done
      fi
      ids_sql="WITH $ctes $union" ;;
    esac
    sql="SELECT $COLS FROM ($ids_sql) page JOIN rose.audit_log a ON a.id = page.id LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id ORDER BY a.id DESC LIMIT 51"
    ids=$(Q -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id DESC), '') FROM ($sql) p(id)")
    n=$(awk -F, '{ print ($0 == "" ? 0 : NF) }' <<< "$ids")
    base="SELECT $COLS $FROM WHERE a.id = ANY ('{$ids}'::bigint[]) ORDER BY a.id DESC"
    read -r p50 p95 _ plan95 <<< "$(time_query "$sql")"
    read -r b50 b95 _ <<< "$(time_query "$base")"
    ratio=$(awk -v a="$p95" -v b="$b95" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
    printf '%-24s %-10s %9s %9s %9s %9s %7s %9s %s\n' "$name" "$page" "$p50" "$p95" "$b50" "$b95" "$ratio" "$plan95" "$n"
    # The summary counts planning too (p95 of each added: an upper bound of the page's server time).
    awk -v a="$p95" -v b="$plan95" '{ t = a + b; print (t > $1 + 0 ? t : $1) }' "$WORST" > "$WORST.n" && mv "$WORST.n" "$WORST"
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "audit-pages: worst_p95_ms=$(cat "$WORST")"
rm -f "$WORST"
