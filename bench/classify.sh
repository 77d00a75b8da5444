#!/usr/bin/env bash
# Classification throughput of Rose's PgQueryClassifier on PostgreSQL's regression corpus with
# libpg_query 17 (the product's parser) and libpg_query 15 (for comparison), same build, same
# corpus, same run; optionally against an earlier build ("before"); then npm libpg-query 17
# (WASM, parse only) as a reference point.
# Last line: "classify: statements_per_s=N mb_per_s=M" (this build, libpg_query 17, median of the rounds).
# Usage: bench/classify.sh [corpus dir] [iterations]   (run from anywhere)
# Environment:
#   ROSE_BENCH_CLASSIFY_BEFORE=dir       a built Rose.Bench.Classify of an earlier version to compare with
#   ROSE_BENCH_CLASSIFY_BEFORE_REF=ref   or: a git ref (e.g. main) to build into .tools/bench-classify-before first
#   ROSE_BENCH_CLASSIFY_ROUNDS=n         rounds (default 3); each round runs every build once, in turn,
#                                        so a change in the machine's load hits all of them alike
#   ROSE_BENCH_LIBPG_QUERY15=file        libpg_query 15 (default: Debian's /usr/lib/x86_64-linux-gnu/libpg_query.so.1504.0)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-${ROSE_CORPUS_DIR:-}}"
if [ -z "$corpus" ]; then
  # ../shared/corpus next to the repository (or next to the worktrees' folder).
  for dir in "$root/.." "$root/../.."; do
    [ -d "$dir/shared/corpus/postgres_regress" ] && { corpus="$(cd "$dir/shared/corpus/postgres_regress" && pwd)"; break; }
  done
fi
[ -d "$corpus" ] || { echo "corpus not found: pass it as the first argument or set ROSE_CORPUS_DIR" >&2; exit 1; }
iterations="${2:-5}"
rounds="${ROSE_BENCH_CLASSIFY_ROUNDS:-3}"
pg15="${ROSE_BENCH_LIBPG_QUERY15:-/usr/lib/x86_64-linux-gnu/libpg_query.so.1504.0}"
cd "$root"
# shellcheck source=../scripts/lib.sh
source scripts/lib.sh
ensure_libpg_query17
[ -d tests/oracle/node_modules/libpg-query ] || npm ci --prefix tests/oracle --no-audit --no-fund
out="$root/.tools/bench-classify"
dotnet build bench/Rose.Bench.Classify -c Release -o "$out" -v quiet -nologo >/dev/null
dll="$out/Rose.Bench.Classify.dll"

# The earlier build: built here from a git ref (in a throwaway detached worktree), or given built.
before="${ROSE_BENCH_CLASSIFY_BEFORE:-}"
if [ -n "${ROSE_BENCH_CLASSIFY_BEFORE_REF:-}" ]; then
  before="$root/.tools/bench-classify-before"
  tree="$(mktemp -d)"
  git -C "$root" worktree add --detach "$tree" "$ROSE_BENCH_CLASSIFY_BEFORE_REF" >/dev/null 2>&1
  trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
  dotnet build "$tree/bench/Rose.Bench.Classify" -c Release -o "$before" -v quiet -nologo >/dev/null
fi
before_dll=""
if [ -n "$before" ]; then
  before_dll="$before/Rose.Bench.Classify.dll"
  [ -f "$before_dll" ] || { echo "no Rose.Bench.Classify.dll in $before" >&2; exit 1; }
fi
[ -f "$pg15" ] || echo "== libpg_query 15 not found at $pg15 (set ROSE_BENCH_LIBPG_QUERY15); its runs are skipped"

field() { echo "$1" | awk -v k="$2" '/^rose:/ { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One run: label, bench dll, library ("" = libpg_query 17 as the product finds it).
declare -A runs_s runs_m
run() {
  local label="$1" bench="$2" library="$3" output
  if [ -n "$library" ]; then
    output="$(ROSE_LIBPG_QUERY="$library" dotnet "$bench" "$corpus" "$iterations")"
  else
    output="$(env -u ROSE_LIBPG_QUERY dotnet "$bench" "$corpus" "$iterations")"
  fi
  echo "== $label (load $(cut -d' ' -f1 /proc/loadavg))"
  echo "$output"
  runs_s[$label]+=" $(field "$output" statements_per_s)"
  runs_m[$label]+=" $(field "$output" mb_per_s)"
}

for round in $(seq 1 "$rounds"); do
  echo "=== round $round of $rounds"
  run new17 "$dll" ""
  [ -f "$pg15" ] && run new15 "$dll" "$pg15"
  if [ -n "$before_dll" ]; then
    [ -f "$pg15" ] && run old15 "$before_dll" "$pg15"
    run old17 "$before_dll" ""
  fi
done

echo "== npm libpg-query 17 (WASM, parse only)"
node bench/classify-oracle.mjs "$corpus" "$iterations"

echo "== medians of $rounds rounds (statements/s, MB/s)"
declare -A med_s med_m
for label in new17 new15 old15 old17; do
  [ -n "${runs_s[$label]:-}" ] || continue
  med_s[$label]="$(echo "${runs_s[$label]}" | median)"
  med_m[$label]="$(echo "${runs_m[$label]}" | median)"
  echo "$label: statements_per_s=${med_s[$label]} mb_per_s=${med_m[$label]} (runs:${runs_s[$label]})"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
s17="${med_s[new17]}"; m17="${med_m[new17]}"
[ -n "${med_s[new15]:-}" ] && echo "new17/new15 (this build, libpg_query 17 / 15): $(ratio "$s17" "${med_s[new15]}")"
[ -n "${med_s[old15]:-}" ] && echo "new17/old15 (this build on 17 / the earlier build on 15): $(ratio "$s17" "${med_s[old15]}")"
[ -n "${med_s[old17]:-}" ] && echo "new17/old17 (this build / the earlier build, both on 17): $(ratio "$s17" "${med_s[old17]}")"
echo "classify: statements_per_s=${s17%.*} mb_per_s=$m17"
