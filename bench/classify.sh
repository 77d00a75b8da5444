#!/usr/bin/env bash
# Classification throughput: Rose's PgQueryClassifier (libpg_query 15 via P/Invoke, full
# classification) against npm libpg-query (PostgreSQL 17 in WASM, parse only) on the same corpus.
# Usage: bench/classify.sh [corpus dir] [iterations]   (run from anywhere)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-${ROSE_CORPUS_DIR:-$root/../shared/corpus/postgres_regress}}"
iterations="${2:-5}"
cd "$root"
[ -d tests/oracle/node_modules/libpg-query ] || npm ci --prefix tests/oracle --no-audit --no-fund
rose_out="$(dotnet run -c Release --project bench/Rose.Bench.Classify -- "$corpus" "$iterations")"
oracle_out="$(node bench/classify-oracle.mjs "$corpus" "$iterations")"
echo "$rose_out"
echo "$oracle_out"
rose="$(echo "$rose_out" | awk '/rose statements\/s/ {print $3}')"
oracle="$(echo "$oracle_out" | awk '/oracle statements\/s/ {print $3}')"
awk -v r="$rose" -v o="$oracle" 'BEGIN { printf "ratio rose/oracle: %.2f\n", r / o }'
