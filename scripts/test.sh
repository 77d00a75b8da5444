#!/usr/bin/env bash
# Installs what the whole suite needs and runs every test project.
#   scripts/test.sh            all projects
#   scripts/test.sh core       one project (core, integration, console, e2e)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_runtime_deps
ensure_apt chromium
# Node often comes from outside Debian (the machine image has its own); only fall back to apt.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  ensure_apt nodejs npm || true
fi
command -v chromium >/dev/null 2>&1 || { say "chromium is required for the browser tests (Debian package chromium)"; exit 1; }
command -v node >/dev/null 2>&1 || { say "node is required for the parser oracle and the OIDC provider (Debian package nodejs)"; exit 1; }

# Node packages go into ignored folders inside the repo.
for dir in tests/oracle tests/oidc tests/mcp-client; do
  if [ -f "$dir/package.json" ]; then
    if [ -f "$dir/package-lock.json" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    else
      (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
    fi
  fi
done

say "building"
dotnet build Rose.Console.sln -c Debug -v quiet -nologo

projects=(core integration console e2e)
[ $# -gt 0 ] && projects=("$@")
passed=0; failed=0; skipped=0; status=0
for p in "${projects[@]}"; do
  case "$p" in
    core) proj=tests/Rose.Core.Tests ;;
    integration) proj=tests/Rose.Integration.Tests ;;
    console) proj=tests/Rose.Console.Tests ;;
    e2e) proj=tests/Rose.E2E.Tests ;;
    *) say "unknown project '$p' (core, integration, console, e2e)"; exit 64 ;;
  esac
  say "testing $proj"
  log="$(mktemp)"
  set +e
  dotnet test "$proj" --no-build --nologo 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  line="$(grep -E "(Passed|Failed)!  *- Failed: " "$log" | tail -n 1 || true)"
  if [ -n "$line" ]; then
    f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line"); ps=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line"); s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
    failed=$((failed + f)); passed=$((passed + ps)); skipped=$((skipped + s))
  fi
  [ "$rc" -ne 0 ] && status=1
  rm -f "$log"
done

echo "Rose: $passed passed, $failed failed, $skipped skipped"
exit $status
