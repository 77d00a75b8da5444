# Shared helpers for scripts/run.sh and scripts/test.sh. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '[rose] %s\n' "$*" >&2; }

# Installs Debian packages when they are missing; as root with apt-get, otherwise says what to install.
APT_UPDATED=0
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]}"
    if [ $APT_UPDATED -eq 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
      APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing Debian packages: ${missing[*]}"
    say "install them with: sudo apt-get install ${missing[*]}"
    return 1
  fi
}

# The PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_dump) and the real parser.
ensure_runtime_deps() {
  ensure_apt libpg-query-dev postgresql-15 postgresql-client-15 acl
  if ! ls /usr/lib/x86_64-linux-gnu/libpg_query.so* >/dev/null 2>&1; then
    say "libpg_query is not installed (Debian package libpg-query-dev)"; return 1
  fi
  command -v dotnet >/dev/null 2>&1 || { say "the .NET SDK (dotnet) is not on PATH; install .NET SDK 9 or later"; return 1; }
}
