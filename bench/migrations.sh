#!/usr/bin/env bash
# Migration throughput: 1,000 small migrations through Rose's runner vs `psql -1 -f` of the same SQL.
# Usage: bench/migrations.sh [count]   (run from anywhere)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dotnet run -c Release --project bench/Rose.Bench.Migrations -- "${1:-1000}"
