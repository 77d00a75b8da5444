#!/usr/bin/env bash
# Audited execution vs plain Npgsql, in one run: baseline (SELECT + audit INSERT), Rose's
# ExecutionService in process, and Rose's HTTP API on a loopback Kestrel host, each at 1 and 32
# callers. The benchmark starts its own PostgreSQL (host binaries, unprivileged user, 127.0.0.1,
# fsync off for baseline and Rose alike) and prints its summary line last:
#   execution: inproc_1=R inproc_32=R api_1=R api_32=R p50x_1=X
# Usage: bench/execution.sh [seconds-per-case]   (run from anywhere; default 10)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash -c 'source scripts/lib.sh; ensure_libpg_query17' >/dev/null
dotnet build bench/Rose.Bench.Execution -c Release -v quiet -nologo
dotnet run -c Release --no-build --project bench/Rose.Bench.Execution -- "${1:-10}"
