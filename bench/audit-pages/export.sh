#!/usr/bin/env bash
# Audit CSV export with a text filter at 10M rows: the server time of the export's SQL before and after the tiered
# export (AuditReader.StreamAsync), on a database seeded by run.sh (ROSE_BENCH_KEEP=1 prints its ROSE_BENCH_REUSE).
#   before: one query over the whole log (no whole-log trigram index since V266: every row is read)
#   after:  a term with a rare word (the gram statistics' choice; given here as the third field) asks each tier
#           index for that word, one query per tier with its range as constants, newest tier first
# Each export is COPY (query) TO '/dev/null' (the rows are formatted on the server, nothing crosses the network),
# before and after taken in turns. Usage: ROSE_BENCH_REUSE="host=... dbname=..." bench/audit-pages/export.sh [RUNS]
# Prints `audit-export: <term> before_ms=X after_ms=Y rows=N` per term (medians), then
# `audit-export: worst_after_ms=X` last.
set -euo pipefail
: "${ROSE_BENCH_REUSE:?set ROSE_BENCH_REUSE to a database seeded by bench/audit-pages/run.sh}"
RUNS=${1:-3}
TIER=1000000   # AuditTextTiers.Width
Q() { psql "$ROSE_BENCH_REUSE" -v ON_ERROR_STOP=1 -qAt "$@"; }
COLS="a.id, a.occurred_at, a.executor_id, a.executor_name, a.executor_kind, a.provider, a.channel, a.database_name, a.reason, a.sql_text, a.sql_length, a.sql_hash, a.operations, a.decision, a.decision_reasons, a.approval_id, a.approved_by, a.target_xid, coalesce(o.status, 'running'), o.finished_at, o.rows_affected, o.duration_ms, o.error_sqlstate, o.error_message, o.statements::text, coalesce(o.recovered, false)"
FROM="FROM rose.audit_log a LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id"
MAX=$(Q -c "SELECT coalesce(max(id), 0) FROM rose.audit_log")
# Milliseconds of one psql script (its statements' \timing lines summed).
timed() { Q -c '\timing on' -f "$1" | awk '/^Time: /{t+=$2} END{printf "%.1f", t}'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
worst=0
# name|term (LIKE-escaped, lower case)|the rare word the statistics choose
while IFS='|' read -r name term part; do
  p="%$term%"; w="%$part%"
  before=$(mktemp); after=$(mktemp)
  echo "COPY (SELECT $COLS $FROM WHERE true AND a.search_folded LIKE lower('$p') AND (a.sql_text ILIKE '$p' OR a.reason ILIKE '$p') ORDER BY a.id DESC) TO '/dev/null';" > "$before"
  for ((k = MAX / TIER; k >= 0; k--)); do
    echo "COPY (SELECT $COLS $FROM WHERE true AND a.search_folded LIKE lower('$w') AND CASE WHEN a.search_folded LIKE lower('$p') THEN (a.sql_text ILIKE '$p' OR a.reason ILIKE '$p') ELSE false END AND a.id >= $((k * TIER)) AND a.id < $(((k + 1) * TIER)) ORDER BY a.id DESC) TO '/dev/null';"
  done > "$after"
  rows=$(Q -c "SELECT count(*) $FROM WHERE a.search_folded LIKE lower('$p') AND (a.sql_text ILIKE '$p' OR a.reason ILIKE '$p')")
  b=""; a=""
  for _ in $(seq "$RUNS"); do b="$b $(timed "$before")"; a="$a $(timed "$after")"; done
  bm=$(echo "$b" | median); am=$(echo "$a" | median)
  echo "audit-export: $name before_ms=$bm after_ms=$am rows=$rows (before:$b; after:$a; load $(cut -d' ' -f1-3 /proc/loadavg))"
  worst=$(awk -v x="$worst" -v y="$am" 'BEGIN{print (y > x) ? y : x}')
  rm -f "$before" "$after"
done <<'TERMS'
rare 'RT-4242 '|rt-4242 |4242 
absent 'no such text'|no such text|such 
TERMS
echo "audit-export: worst_after_ms=$worst"
