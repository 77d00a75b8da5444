#!/usr/bin/env bash
# Builds the Rose Console image and checks that it runs: the embedded default cluster comes up,
# /readyz answers 200 and a SELECT runs through the API with an agent key. The container listens
# on 127.0.0.1 only and is removed at the end, pass or fail.
#
# This machine reaches no container registry, so the script builds from local stand-ins for the
# Dockerfile's public bases (docker/local-bases/build.sh: Debian 13 from Debian's mirror, and this
# machine's own ASP.NET Core 10 runtime) and from a `dotnet publish` run here (the Dockerfile's
# `prebuilt` target) instead of the SDK image. Everything else (Debian packages, the user, the
# entry point) is the Dockerfile's own. With registry access: docker build -t rose-console .
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
IMAGE="${ROSE_SMOKE_IMAGE:-rose-console:smoke}"

ensure_docker || { say "the smoke test needs a Docker engine"; exit 1; }
ensure_apt debootstrap || { say "the smoke test needs debootstrap to make the local Debian base"; exit 1; }
bash docker/local-bases/build.sh

say "publishing Rose Console and the rose CLI (Release, framework-dependent) into out/docker/"
rm -rf out/docker
dotnet publish src/Rose.Console/Rose.Console.csproj -c Release -v quiet -nologo -o out/docker/console >/dev/null
dotnet publish src/Rose.Cli/Rose.Cli.csproj -c Release -v quiet -nologo -o out/docker/cli >/dev/null

say "building $IMAGE (target prebuilt)"
build_log="$(mktemp)"
if ! docker build --target prebuilt -t "$IMAGE" \
      --build-arg RUNTIME_IMAGE=rose-local/debian:trixie \
      --build-arg ASPNET_IMAGE=rose-local/dotnet-aspnet:10.0 \
      --build-arg SDK_IMAGE=rose-local/debian:trixie \
      . >"$build_log" 2>&1; then
  tail -n 30 "$build_log" >&2; rm -f "$build_log"; say "docker build failed"; exit 1
fi
rm -f "$build_log"

key="rose_smoke_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
name="rose-smoke-$$"
cleanup() { docker rm -f -v "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
# The agent gets a read-only policy on the demo target (Production ships no agent policy).
docker run -d --name "$name" -p 127.0.0.1::8080 \
  -e "Rose__Agents__rose__ApiKey=$key" \
  -e Rose__Agents__rose__Policy__allowed_databases__0=demo \
  -e Rose__Agents__rose__Policy__allowed_operations__0=SELECT \
  -e Rose__Agents__rose__Policy__environment=dev \
  "$IMAGE" >/dev/null
port="$(docker port "$name" 8080/tcp | awk -F: '/^127\.0\.0\.1:/ {print $2; exit}')"
[ -n "$port" ] || { say "the container published no port on 127.0.0.1"; exit 1; }
base="http://127.0.0.1:$port"
say "started $name from $IMAGE on $base; waiting for /readyz"

ready=0; t0=$SECONDS
for _ in $(seq 1 120); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ]; then ready=1; break; fi
  [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
  sleep 1
done
if [ $ready -ne 1 ]; then
  docker logs --tail 40 "$name" >&2 || true
  say "FAIL: /readyz did not answer 200"; exit 1
fi
say "/readyz 200 after $((SECONDS - t0))s"

body="$(mktemp)"
code="$(curl -s -o "$body" -w '%{http_code}' -X POST "$base/api/v1/sql/execute" \
  -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
  -d '{"database":"demo","sql":"SELECT count(*) AS customers, version() AS server FROM customers","reason":"docker smoke test"}' || true)"
say "POST /api/v1/sql/execute -> $code"
cat "$body" >&2; echo >&2
if [ "$code" != 200 ] || ! grep -q '"customers"' "$body" || ! grep -q 'PostgreSQL 17' "$body"; then
  rm -f "$body"; docker logs --tail 20 "$name" >&2 || true
  say "FAIL: the SELECT did not run through the API on PostgreSQL 17"; exit 1
fi
rm -f "$body"
say "user in the container: $(docker exec "$name" id -un), pg_dump: $(docker exec "$name" pg_dump --version)"
say "PASS: image $IMAGE serves /readyz and runs a SELECT through the API (container removed)"
