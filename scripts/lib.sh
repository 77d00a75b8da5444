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

# PostgreSQL 17's parser: libpg_query 17 (libpg_query.so.1706.0) from Debian 13's libpg-query1706.0.
# It needs only glibc 2.34, so it loads on Debian 12. apt's own client fetches it with a private state
# folder and a trixie-only source list, so the machine's apt sources are never touched. The library is
# unpacked into .tools/libpg_query (ignored by git), where Rose looks first (ROSE_LIBPG_QUERY overrides).
LIBPG_QUERY17="$ROOT/.tools/libpg_query/libpg_query.so.1706.0"
ensure_libpg_query17() {
  if [ -f "$LIBPG_QUERY17" ]; then return 0; fi
  if [ -f /usr/lib/x86_64-linux-gnu/libpg_query.so.1706.0 ]; then
    mkdir -p "$(dirname "$LIBPG_QUERY17")"; cp /usr/lib/x86_64-linux-gnu/libpg_query.so.1706.0 "$LIBPG_QUERY17"; return 0
  fi
  command -v apt-get >/dev/null 2>&1 || { say "apt-get is needed to fetch libpg_query 17 (Debian 13 package libpg-query1706.0)"; return 1; }
  local uri keyring dir
  uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  uri="${uri:-http://deb.debian.org/debian}"
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  dir="$(mktemp -d)"
  mkdir -p "$dir/parts" "$dir/lists/partial" "$dir/cache/archives/partial"
  printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$keyring" > "$dir/parts/trixie.sources"
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$dir/parts" -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o Debug::NoLocking=1)
  say "fetching libpg_query 17 (Debian 13 package libpg-query1706.0)"
  if ! apt-get "${opts[@]}" update -qq >/dev/null 2>&1 || ! (cd "$dir" && apt-get "${opts[@]}" download libpg-query1706.0 >/dev/null 2>&1); then
    rm -rf "$dir"; say "could not fetch libpg-query1706.0 from $uri (suite trixie); PostgreSQL 17's parser is required"; return 1
  fi
  dpkg-deb -x "$dir"/libpg-query1706.0_*.deb "$dir/x"
  mkdir -p "$(dirname "$LIBPG_QUERY17")"
  cp "$(find "$dir/x" -name 'libpg_query.so.1706.0*' -type f | head -n 1)" "$LIBPG_QUERY17"
  rm -rf "$dir"
}

# The PostgreSQL server binaries (initdb, pg_ctl, postgres, pg_dump) and the real parser.
ensure_runtime_deps() {
  ensure_apt libpg-query-dev postgresql-15 postgresql-client-15 acl
  ensure_libpg_query17
  command -v dotnet >/dev/null 2>&1 || { say "the .NET SDK (dotnet) is not on PATH; install .NET SDK 10"; return 1; }
}
