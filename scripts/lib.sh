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
  ensure_apt libpg-query-dev postgresql-15 postgresql-client-15 postgresql-15-hypopg acl
  ensure_libpg_query17
  command -v dotnet >/dev/null 2>&1 || { say "the .NET SDK (dotnet) is not on PATH; install .NET SDK 10"; return 1; }
}

# A Docker engine for the test containers: installs docker.io when missing (root), and starts dockerd
# in the background when none answers (log: $DOCKERD_LOG). Returns 1, saying why, when there is none;
# the tests then fall back to the installed PostgreSQL binaries only where no image was asked for.
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/rose-dockerd.log}"
ensure_docker() {
  if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
    ensure_apt docker.io || { say "Docker is missing: install the Debian package docker.io"; return 1; }
  fi
  docker info >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "no Docker engine answers and only root starts dockerd here: start it (sudo dockerd) or add yourself to the docker group"
    return 1
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    say "starting dockerd (log: $DOCKERD_LOG)"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  say "dockerd did not answer within 60 seconds; its log: $DOCKERD_LOG"
  tail -n 5 "$DOCKERD_LOG" >&2 || true
  return 1
}

# rose-pg:<major> test images (PostgreSQL + hypopg from Debian's packages), built once per machine.
# Missing images are built side by side (mostly download and unpack time); each build logs to a file.
ensure_pg_images() {
  local major pids=() logs=() names=() i rc=0
  for major in "$@"; do
    docker image inspect "rose-pg:$major" >/dev/null 2>&1 && continue
    if [ ${#names[@]} -eq 0 ]; then
      ensure_apt debootstrap || { say "debootstrap is missing (Debian package debootstrap): cannot build the rose-pg images"; return 1; }
    fi
    say "building the test image rose-pg:$major from Debian's packages (a few minutes, once per machine)"
    logs+=("$(mktemp /tmp/rose-pg-build-XXXXXX.log)")
    bash "$ROOT/docker/postgres/build-image.sh" "$major" >"${logs[-1]}" 2>&1 &
    pids+=($!); names+=("rose-pg:$major")
  done
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then
      rm -f "${logs[$i]}"
    else
      tail -n 20 "${logs[$i]}" >&2
      say "could not build ${names[$i]} (log: ${logs[$i]})"; rc=1
    fi
  done
  return $rc
}

# Removes test containers whose test process is gone (its watchdog was killed too, or the machine restarted).
remove_abandoned_test_containers() {
  local id owner
  docker ps -aq --filter label=rose.test.owner 2>/dev/null | while read -r id; do
    owner="$(docker inspect -f '{{ index .Config.Labels "rose.test.owner" }}' "$id" 2>/dev/null || true)"
    if [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
      docker rm -f -v "$id" >/dev/null 2>&1 || true
    fi
  done
}

# PostgreSQL client programs (pg_dump, pg_restore, psql) of the version in rose-pg:<major>, runnable on
# this host: pg_dump refuses servers newer than itself, and Debian 12 has only the 15 client. The
# programs and the libraries they link (the image's glibc included) are copied out of the image into
# .tools/pg-client/<major>-<image id>/; each bin/ wrapper runs its program through the copied dynamic
# loader, so the host's own libraries are never mixed in. Prints the bin/ folder.
ensure_pg_client_tools() {
  local major="$1" id dir
  id="$(docker image inspect -f '{{.Id}}' "rose-pg:$major" 2>/dev/null | sed 's/^sha256://' | cut -c1-12)"
  [ -n "$id" ] || { say "rose-pg:$major is missing: cannot copy its client programs"; return 1; }
  dir="$ROOT/.tools/pg-client/$major-$id"
  if [ ! -x "$dir/bin/pg_dump" ]; then
    rm -rf "$dir"; mkdir -p "$dir/bin"
    docker run --rm --user 0 --network none --entrypoint sh -v "$dir:/out" "rose-pg:$major" -c '
      set -e; bin=/usr/lib/postgresql/'"$major"'/bin; mkdir -p /out/lib /out/real
      for p in pg_dump pg_restore psql; do cp "$bin/$p" /out/real/; done
      ldd "$bin/pg_dump" "$bin/pg_restore" "$bin/psql" | awk "/=>/ {print \$3} /ld-linux/ {print \$1}" | sort -u |
        while read -r f; do [ -f "$f" ] && cp -L "$f" /out/lib/; done
      chmod -R a+rX /out' >/dev/null || { say "could not copy the PostgreSQL $major client programs out of rose-pg:$major"; rm -rf "$dir"; return 1; }
    local p
    for p in pg_dump pg_restore psql; do
      printf '#!/bin/sh\n# PostgreSQL %s %s from rose-pg:%s, run with the image'"'"'s own loader and libraries.\nd="$(dirname "$(readlink -f "$0")")/.."\nexec "$d/lib/ld-linux-x86-64.so.2" --library-path "$d/lib" "$d/real/%s" "$@"\n' "$major" "$p" "$major" "$p" > "$dir/bin/$p"
      chmod 0755 "$dir/bin/$p"
    done
  fi
  "$dir/bin/pg_dump" --version >/dev/null 2>&1 || { say "the PostgreSQL $major client programs copied from rose-pg:$major do not run here"; return 1; }
  printf '%s\n' "$dir/bin"
}
