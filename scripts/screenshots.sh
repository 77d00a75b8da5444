#!/usr/bin/env bash
# Saves a screenshot of every console page (1366x768, light theme) into docs/screenshots/, taken by
# the accessibility E2E tests from a real console in Chromium while they check each page.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
(cd tests/axe && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
dotnet build Rose.Console.sln -c Debug -v quiet -nologo
mkdir -p docs/screenshots
ROSE_E2E_SCREENSHOTS="$ROOT/docs/screenshots" dotnet test tests/Rose.E2E.Tests --no-build --nologo \
  --filter "FullyQualifiedName~AccessibilityTests.Page_LightTheme"
say "screenshots in docs/screenshots/"
