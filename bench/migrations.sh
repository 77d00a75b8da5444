#!/usr/bin/env bash
# Migration throughput: 1,000 small migrations through Rose's runner (each in its own transaction, and
# with single_transaction) vs `psql -1 -f` of the same SQL, RUNS turns each; the ratios are of the medians.
# Usage: bench/migrations.sh [count] [runs]   (run from anywhere; defaults 1000 and 3)
# Env:   ROSE_BENCH_PHASES=1 prints when each stage of every Rose run starts.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# The real parser (libpg_query 17) into .tools when this checkout has none yet, as the other bench scripts do.
bash -c 'source scripts/lib.sh; ensure_libpg_query17' >/dev/null
dotnet run -c Release --project bench/Rose.Bench.Migrations -- "${1:-1000}" "${2:-3}"
