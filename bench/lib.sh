# Shared setup of the bench scripts that run the built console against a throwaway PostgreSQL
# container (bench/mcp.sh, bench/soak.sh). Sourced, not run. A script calls, in order:
#   bench_init <tag>                       repository root as cwd, $work, $password, EXIT trap
#   bench_console_bin <configuration>      $console_bin (the newest build of that configuration)
#   bench_start_pg <image> [-c name=value ...]   $container, $pg_port, $admin (a psql conninfo)
#   bench_start_console <tag> <ASPNETCORE_ENVIRONMENT> [Name=value ...]   $http_port, $console_pid
# and bench_conn <database> for the console's Npgsql connection strings. Everything started here is
# stopped by the trap (the console by its pid, the container by its id), and $work is deleted.
# The PostgreSQL container listens on 127.0.0.1 only, with a random password; the console too.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# N random bytes as hex: passwords and API keys that never repeat between runs.
bench_random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# A TCP port that is free on 127.0.0.1 now (the kernel picks it).
bench_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bench_init() {
  cd "$bench_root"
  work="$(mktemp -d "/tmp/rose-$1.XXXXXX")"
  password="$(bench_random_hex 16)"
  container=""
  console_pid=""
  trap bench_cleanup EXIT
  bash -c 'source scripts/lib.sh; ensure_libpg_query17' >/dev/null
  psql_bin="$(ls -d .tools/pg-client/17-*/bin | head -1)/psql"
}

bench_cleanup() {
  [ -n "$console_pid" ] && kill "$console_pid" 2>/dev/null || true
  [ -n "$container" ] && docker rm -f "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}

bench_console_bin() {
  # ROSE_CONSOLE_BIN: another build to time (a "before" copied aside), instead of the newest of this tree.
  console_bin="${ROSE_CONSOLE_BIN:-$bench_root/$(ls -t src/Rose.Console/bin/"$1"/*/Rose.Console | head -1)}"
}

# Starts the container (extra arguments go to postgres) and waits until it answers.
bench_start_pg() {
  local image="$1"
  shift
  container="$(docker run -d -e POSTGRES_PASSWORD="$password" -p 127.0.0.1::5432 "$image" "$@")"
  pg_port="$(docker port "$container" 5432/tcp | head -1 | sed 's/.*://')"
  admin="host=127.0.0.1 port=$pg_port user=postgres password=$password dbname=postgres"
  for _ in $(seq 1 60); do "$psql_bin" "$admin" -qAtc 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
}

# The console's connection string for one database of the container.
bench_conn() { echo "Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$password;Database=$1"; }

# Starts the console from its own folder with the given configuration (Name=value, as environment
# variables) on a free loopback port, logging to $work/console.log, and waits for /readyz.
bench_start_console() {
  local tag="$1" environment="$2"
  shift 2
  http_port="$(bench_free_port)"
  (
    cd "$(dirname "$console_bin")"
    exec env ASPNETCORE_ENVIRONMENT="$environment" ASPNETCORE_URLS="http://127.0.0.1:$http_port" Logging__LogLevel__Default=Warning \
      Rose__DataDir="$work/data" "$@" "$console_bin" >"$work/console.log" 2>&1
  ) &
  console_pid=$!
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break; sleep 1; done
  curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null || { echo "$tag: the console did not start"; tail -40 "$work/console.log"; exit 1; }
}
