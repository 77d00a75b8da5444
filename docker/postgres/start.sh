#!/bin/sh
# Sets the superuser's password (single-user mode, before the server listens), then runs the server
# listening on every address inside the container; the host publishes the port on 127.0.0.1 only.
# Extra arguments go to postgres (e.g. -c fsync=off).
set -eu
if [ -z "${POSTGRES_PASSWORD:-}" ]; then
  echo "rose-pg: POSTGRES_PASSWORD is required" >&2
  exit 64
fi
if [ "${POSTGRES_USER:-postgres}" != postgres ] || [ "${POSTGRES_DB:-postgres}" != postgres ]; then
  echo "rose-pg: this image has only the superuser postgres and the database postgres" >&2
  exit 64
fi
escaped=$(printf '%s' "$POSTGRES_PASSWORD" | sed "s/'/''/g")
printf "ALTER ROLE postgres PASSWORD '%s'\n" "$escaped" | postgres --single -D "$PGDATA" postgres >/dev/null
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
