#!/usr/bin/env bash
# Installs what the whole suite needs and runs every test project.
#   scripts/test.sh                   the whole matrix: core; integration on PostgreSQL 17 and 15;
#                                     console and e2e on PostgreSQL 17, in two lanes side by side
#                                     (ROSE_TEST_LANES=1: one entry after another)
#   scripts/test.sh core              one entry: core, integration, console, e2e (PostgreSQL 17)
#   scripts/test.sh integration:15    a suite against another image (rose-pg:15)
# PostgreSQL runs in containers from local images rose-pg:17 and rose-pg:15, built once per machine
# from Debian's packages (docker/postgres/build-image.sh); the Docker engine is installed and started
# when missing. ROSE_TEST_PG (an admin connection string) sends every suite to that server instead.
# Without Docker (outside CI) the suites use a server from the installed PostgreSQL 15 binaries.
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

entries=(core integration:17 integration:15 console:17 e2e:17)
# In the whole matrix, PostgreSQL 15 runs the integration tests whose outcome depends on the server's
# version (its SQL, pg_dump/pg_restore, pg_stat_statements and hypopg, transaction status); the control
# store's tests (Storage, Audit, Approvals, Devlogs, Errors) use SQL both versions answer alike and run
# on 17 only, which keeps CI near its time limit. So do validation's scheduling tests (AbandonedRunTests,
# ScheduleTests: slots and heartbeats in the control store, raced by two instances and timed in seconds),
# whose target reads are the ones the other Validation classes run on 15. `scripts/test.sh integration:15` runs all of it.
subset_15="(FullyQualifiedName~Rose.Integration.Tests.Advisor.|FullyQualifiedName~Rose.Integration.Tests.Execution.|FullyQualifiedName~Rose.Integration.Tests.Migrations.|FullyQualifiedName~Rose.Integration.Tests.Safety.|FullyQualifiedName~Rose.Integration.Tests.Undo.|FullyQualifiedName~Rose.Integration.Tests.Validation.)&FullyQualifiedName!~Rose.Integration.Tests.Validation.AbandonedRunTests&FullyQualifiedName!~Rose.Integration.Tests.Validation.ScheduleTests"
whole_matrix=1
# The whole matrix runs in two lanes side by side (see below); ROSE_TEST_LANES=1 runs it one entry after another.
lanes="${ROSE_TEST_LANES:-2}"
case "$lanes" in 1|2) ;; *) say "ROSE_TEST_LANES must be 1 or 2, not '$lanes'"; exit 64 ;; esac
if [ $# -gt 0 ]; then entries=("$@"); subset_15=""; whole_matrix=0; fi

# Which PostgreSQL images the chosen entries need (a suite named without a version runs on 17).
majors=()
for e in "${entries[@]}"; do
  case "$e" in
    core) ;;
    integration|console|e2e) majors+=(17) ;;
    integration:15|integration:17|console:15|console:17|e2e:15|e2e:17) majors+=("${e#*:}") ;;
    *) say "unknown entry '$e' (core, integration, console, e2e; the last three optionally :15 or :17)"; exit 64 ;;
  esac
done
use_images=0
want_images=0
if [ ${#majors[@]} -gt 0 ] && [ -z "${ROSE_TEST_PG:-}" ]; then
  want_images=1
  readarray -t majors < <(printf '%s\n' "${majors[@]}" | sort -u)
  # Docker and the images (minutes on a fresh machine, mostly downloads) are provisioned in the
  # background while the Node packages install and the solution builds; the result is read below.
  provision_log="$(mktemp)"
  ( ensure_docker && ensure_pg_images "${majors[@]}" ) >"$provision_log" 2>&1 &
  provision_pid=$!
fi

# Node packages go into ignored folders inside the repo; they install while the solution builds.
install_node_packages() {
  local dir
  for dir in tests/oracle tests/oidc tests/axe tests/mcp-client; do
    if [ -f "$dir/package.json" ]; then
      if [ -f "$dir/package-lock.json" ]; then
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
      else
        (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
      fi
    fi
  done
  # squawk-cli's lock holds only the linux-x64 binary package the registry serves, which npm ci
  # refuses; npm install resolves the same pinned version.
  (cd tests/lint-parity && npm install --no-audit --no-fund --loglevel=error >/dev/null)
}
install_node_packages &
node_pid=$!

say "building"
dotnet build Rose.Console.sln -c Debug -v quiet -nologo
wait "$node_pid" || { say "installing the Node packages (npm) failed: see the messages above"; exit 1; }

if [ $want_images -eq 1 ]; then
  set +e; wait "$provision_pid"; provisioned=$?; set -e
  cat "$provision_log" >&2; rm -f "$provision_log"
  if [ $provisioned -eq 0 ]; then
    use_images=1
    remove_abandoned_test_containers
    # Testcontainers' reaper image cannot be pulled here; the fixture removes its own containers.
    export TESTCONTAINERS_RYUK_DISABLED=true
    # Testcontainers asks for Docker API 1.44; Debian 12's docker.io (20.10) speaks 1.41 and says so.
    if [ -z "${DOCKER_API_VERSION:-}" ]; then
      api="$(docker version -f '{{.Server.APIVersion}}' 2>/dev/null || true)"
      [ -n "$api" ] && export DOCKER_API_VERSION="$api"
    fi
    # pg_dump of each image's version: the host's pg_dump 15 refuses a PostgreSQL 17 server.
    declare -A client_bin=()
    for major in "${majors[@]}"; do
      client_bin[$major]="$(ensure_pg_client_tools "$major")" || { say "no pg_dump $major for the snapshot tests"; exit 1; }
    done
  elif [ "${CI:-}" = "true" ]; then
    say "CI needs Docker and the rose-pg images (PostgreSQL ${majors[*]}): see the messages above"
    exit 1
  else
    say "running the database suites on the installed PostgreSQL 15 binaries only (no Docker or images; see above)"
  fi
fi

# One entry: its output goes to a log whose summary line gives the counts; with live=1 it is also shown
# as it runs (entries running side by side print their logs whole, in order, when all have finished).
results="$(mktemp -d)"
run_entry() {
  local e="$1" live="${2:-1}" name major proj log rc line started f ps s filter=()
  name="${e%%:*}"; major=""
  case "$e" in *:*) major="${e#*:}" ;; core) ;; *) major=17 ;; esac
  case "$name" in
    core) proj=tests/Rose.Core.Tests ;;
    integration) proj=tests/Rose.Integration.Tests ;;
    console) proj=tests/Rose.Console.Tests ;;
    e2e) proj=tests/Rose.E2E.Tests ;;
  esac
  [ "$e" = integration:15 ] && [ -n "$subset_15" ] && filter=(--filter "$subset_15")
  if [ -n "$major" ] && [ $use_images -eq 1 ]; then
    export ROSE_TEST_PG_IMAGE="rose-pg:$major"
    export Rose__Migrations__PgDumpPath="${client_bin[$major]}/pg_dump"
    say "$e: testing $proj on $ROSE_TEST_PG_IMAGE${filter:+ (the version-dependent namespaces)}"
  else
    unset ROSE_TEST_PG_IMAGE Rose__Migrations__PgDumpPath
    say "$e: testing $proj"
  fi
  started=$SECONDS
  log="$results/$e.log"
  set +e
  # A hung test ends its suite after 5 minutes with a named culprit instead of running into CI's limit.
  if [ "$live" = 1 ]; then
    dotnet test "$proj" --no-build --nologo --blame-hang-timeout 5m --blame-hang-dump-type none "${filter[@]}" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
  else
    dotnet test "$proj" --no-build --nologo --blame-hang-timeout 5m --blame-hang-dump-type none "${filter[@]}" >"$log" 2>&1
    rc=$?
  fi
  set -e
  line="$(grep -E "(Passed|Failed)!  *- Failed: " "$log" | tail -n 1 || true)"
  f=0; ps=0; s=0
  if [ -n "$line" ]; then
    f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line"); ps=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line"); s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
  elif [ "$rc" -eq 0 ]; then
    rc=1  # no summary line: the run did not finish (crash, abort), which is a failure, never a pass
  fi
  echo "$ps $f $s $rc" >"$results/$e.result"
  say "$e took $((SECONDS - started))s: $ps passed, $f failed, $s skipped (exit $rc)"
}

# The whole matrix runs in two lanes side by side, each lane's entries one after another. A suite alone
# leaves much of the 2 cores idle while it waits on its PostgreSQL server, console processes and
# Chromium, so the other lane fills that time. Each entry has its own PostgreSQL container (own port,
# labelled with its test process) and console processes on free ports; e2e and console keep their data
# in folders of their own. integration:15 starts only after integration:17 has finished: the same test
# project, whose harnesses share one data folder (the temp folder) that each run assumes is its own.
# The lanes balance the stage times of a sequential run. ROSE_TEST_LANES=1 runs the matrix one entry
# after another instead (as entries named on the command line always run, shown as they run).
if [ $whole_matrix -eq 1 ] && [ "$lanes" = 2 ]; then
  lane_a=(integration:17 console:17)
  lane_b=(core e2e:17 integration:15)
  run_lane() {
    local e
    for e in "$@"; do
      if [ "$e" = integration:15 ]; then
        while [ ! -f "$results/integration:17.result" ] && kill -0 "$lane_a_pid" 2>/dev/null; do sleep 2; done
      fi
      run_entry "$e" 0
    done
  }
  say "running ${lane_a[*]} beside ${lane_b[*]}; each log is printed whole when both lanes have finished"
  run_lane "${lane_a[@]}" & lane_a_pid=$!
  run_lane "${lane_b[@]}" & lane_b_pid=$!
  # A lane that stops early (an error in the script itself) leaves its later entries without a result,
  # which the tally below reports as a failure; the wait status is not needed for that.
  wait "$lane_a_pid" || true
  wait "$lane_b_pid" || true
  for e in "${entries[@]}"; do
    printf '\n----- %s -----\n' "$e"
    cat "$results/$e.log" 2>/dev/null || say "$e left no log"
  done
else
  for e in "${entries[@]}"; do run_entry "$e"; done
fi

passed=0; failed=0; skipped=0; status=0
for e in "${entries[@]}"; do
  if [ ! -f "$results/$e.result" ]; then
    say "$e gave no result"; status=1; continue
  fi
  read -r ps f s rc <"$results/$e.result"
  passed=$((passed + ps)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$rc" -ne 0 ]; then
    status=1
    say "$e FAILED: $f failed, exit $rc (its log is under ----- $e ----- above)"
  fi
done
rm -rf "$results"

echo "Rose: $passed passed, $failed failed, $skipped skipped"
exit $status
