#!/usr/bin/env bash
# Builds rose-pg:<major> (a PostgreSQL test server with hypopg) from Debian's own packages, with no
# container registry: debootstrap a minimal root file system from the machine's Debian mirror,
# `docker import` it as rose-pg-base:<major>, then docker/postgres/Dockerfile makes the cluster.
#   docker/postgres/build-image.sh 17     trixie + postgresql-17 + postgresql-17-hypopg
#   docker/postgres/build-image.sh 15     bookworm + postgresql-15 + postgresql-15-hypopg
# Needs root (debootstrap), debootstrap and a running Docker engine. Reuses images that exist.
set -euo pipefail
major="${1:?usage: build-image.sh 15|17}"
case "$major" in
  15) suite=bookworm ;;
  17) suite=trixie ;;
  *) echo "rose-pg: no recipe for PostgreSQL $major (15, 17)" >&2; exit 64 ;;
esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
image="rose-pg:$major"
base="rose-pg-base:$major"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "rose-pg: $image exists" >&2
  exit 0
fi
if ! docker image inspect "$base" >/dev/null 2>&1; then
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  root="$(mktemp -d /tmp/rose-pg-rootfs-XXXXXX)"
  trap 'rm -rf "$root"' EXIT
  echo "rose-pg: debootstrap $suite with postgresql-$major from $mirror" >&2
  if ! debootstrap --variant=minbase --include="postgresql-$major,postgresql-$major-hypopg,locales" \
        "$suite" "$root" "$mirror" > "$root.log" 2>&1; then
    tail -n 20 "$root.log" >&2
    echo "rose-pg: debootstrap of $suite failed (log above: $root.log)" >&2
    exit 1
  fi
  rm -f "$root.log"
  # The packages' own default cluster is not used (the Dockerfile makes one); apt lists are not needed.
  rm -rf "$root/var/lib/postgresql/$major" "$root/etc/postgresql/$major" "$root/var/lib/apt/lists/"* "$root/var/cache/apt/archives/"*.deb
  tar -C "$root" -c . | docker import - "$base" >/dev/null
  rm -rf "$root"; trap - EXIT
fi
docker build -q --build-arg "BASE=$base" --build-arg "PG_MAJOR=$major" -t "$image" "$here" >/dev/null
echo "rose-pg: built $image" >&2
