#!/usr/bin/env bash
# Builds and runs Rose Console. With no Rose:ControlConnection it starts its own PostgreSQL
# cluster under Rose:DataDir (default ~/.local/share/rose) with a `demo` target.
# Honours ASPNETCORE_URLS, ASPNETCORE_ENVIRONMENT and every Rose__* environment variable.
# ROSE_REPLICA_OF=<data dir of a running embedded console> starts a replica of it on :5081 (README "Running several consoles").
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_runtime_deps

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
OUT="$ROOT/out/console"
if [ -n "${ROSE_REPLICA_OF:-}" ]; then
  # A replica of a running embedded console: same control database (as its control role), same targets,
  # same key-ring key file, read from the 0600 files in that console's data dir. Nothing secret is printed.
  ROSE_REPLICA_OF="$(cd "$ROSE_REPLICA_OF" 2>/dev/null && pwd)" || { say "ROSE_REPLICA_OF: no such directory"; exit 1; }
  if [ ! -r "$ROSE_REPLICA_OF/replica.json" ]; then
    say "ROSE_REPLICA_OF=$ROSE_REPLICA_OF holds no readable replica.json: start the first console there (embedded default) first, as this OS user"
    exit 1
  fi
  export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5081}"
  port="${ASPNETCORE_URLS##*:}"; port="${port%%/*}"
  export Rose__ReplicaOf="$ROSE_REPLICA_OF"
  export Rose__DataDir="${Rose__DataDir:-${ROSE_REPLICA_OF%/}-replica-$port}"
  # Its own output folder: publishing over the binaries the first console is running from could break it.
  OUT="$ROOT/out/console-replica-$port"
  say "replica of $ROSE_REPLICA_OF (data dir $Rose__DataDir)"
fi
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
if [ "$ASPNETCORE_ENVIRONMENT" = "Development" ] && [ -z "${Rose__Agents__rose__ApiKey:-}" ]; then
  # A development-only key for the shipped `rose` agent; set your own for anything shared.
  export Rose__Agents__rose__ApiKey="rose_dev_key_change_me_0000000000"
  say "development agent key for 'rose': $Rose__Agents__rose__ApiKey"
fi

say "building"
# Published output, not bin/: in .NET 10 the Blazor script (_framework/blazor.web.js) is served from
# bin/ only in Development (through the static web assets manifest); a publish carries it for every
# environment.
dotnet publish src/Rose.Console/Rose.Console.csproj -c Release -v quiet -nologo -o "$OUT" >/dev/null
say "starting on $ASPNETCORE_URLS ($ASPNETCORE_ENVIRONMENT); Ctrl+C stops the console and its embedded PostgreSQL"
cd "$OUT"
exec ./Rose.Console "$@"
