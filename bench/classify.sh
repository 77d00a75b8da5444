#!/usr/bin/env bash
# Classification throughput of Rose's PgQueryClassifier on PostgreSQL's regression corpus with
# libpg_query 17 (the product's parser) and libpg_query 15 (for comparison), same build, same
# corpus, same run; then npm libpg-query 17 (WASM, parse only) as a reference point.
# Last line: "classify: statements_per_s=N mb_per_s=M" (libpg_query 17).
# Usage: bench/classify.sh [corpus dir] [iterations]   (run from anywhere)
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
pg15="${ROSE_BENCH_LIBPG_QUERY15:-/usr/lib/x86_64-linux-gnu/libpg_query.so.1504.0}"
cd "$root"
# shellcheck source=../scripts/lib.sh
source scripts/lib.sh
ensure_libpg_query17
[ -d tests/oracle/node_modules/libpg-query ] || npm ci --prefix tests/oracle --no-audit --no-fund
out="$root/.tools/bench-classify"
dotnet build bench/Rose.Bench.Classify -c Release -o "$out" -v quiet -nologo >/dev/null
dll="$out/Rose.Bench.Classify.dll"

echo "== libpg_query 17"
pg17_out="$(env -u ROSE_LIBPG_QUERY dotnet "$dll" "$corpus" "$iterations")"
echo "$pg17_out"
if [ -f "$pg15" ]; then
  echo "== libpg_query 15 ($pg15)"
  pg15_out="$(ROSE_LIBPG_QUERY="$pg15" dotnet "$dll" "$corpus" "$iterations")"
  echo "$pg15_out"
else
  echo "== libpg_query 15 not found at $pg15 (set ROSE_BENCH_LIBPG_QUERY15); comparison skipped"
  pg15_out=""
fi
echo "== npm libpg-query 17 (WASM, parse only)"
node bench/classify-oracle.mjs "$corpus" "$iterations"

field() { echo "$1" | awk -v k="$2" '/^rose:/ { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'; }
s17="$(field "$pg17_out" statements_per_s)"; m17="$(field "$pg17_out" mb_per_s)"
if [ -n "$pg15_out" ]; then
  s15="$(field "$pg15_out" statements_per_s)"; m15="$(field "$pg15_out" mb_per_s)"
  awk -v a="$s17" -v b="$s15" -v c="$m17" -v d="$m15" \
    'BEGIN { printf "libpg_query 17 / 15: statements_per_s %.2f, mb_per_s %.2f (15: statements_per_s=%s mb_per_s=%s)\n", a / b, c / d, b, d }'
fi
echo "classify: statements_per_s=$s17 mb_per_s=$m17"
