#!/usr/bin/env bash
# Builds and runs Rose Console. With no Rose:ControlConnection it starts its own PostgreSQL
# cluster under Rose:DataDir (default ~/.local/share/rose) with a `demo` target.
# Honours ASPNETCORE_URLS, ASPNETCORE_ENVIRONMENT and every Rose__* environment variable.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_runtime_deps

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
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
dotnet publish src/Rose.Console/Rose.Console.csproj -c Release -v quiet -nologo -o "$ROOT/out/console" >/dev/null
say "starting on $ASPNETCORE_URLS ($ASPNETCORE_ENVIRONMENT); Ctrl+C stops the console and its embedded PostgreSQL"
cd "$ROOT/out/console"
exec ./Rose.Console "$@"
