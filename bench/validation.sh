#!/usr/bin/env bash
# Validation benchmark: Rose's full check suite against one hand-written aggregate query on an
# N-row table (default 10,000,000). Not run by CI: seeding alone takes minutes on 2 cores.
# Usage: bench/validation.sh [rows]   (ROSE_TEST_PG=<admin connection string> reuses a server)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dotnet run -c Release --project bench/Rose.Bench.Validation -- "${1:-10000000}"
