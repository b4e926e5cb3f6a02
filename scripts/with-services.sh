#!/usr/bin/env bash
# Runs a command with the real components the tests need, started privately on free local ports:
#   PostgreSQL (a throw-away cluster)  → MLLOOP_TEST_PG_URL
#   Redis (AOF, appendfsync always, noeviction, as the README tells operators) → MLLOOP_TEST_REDIS_URL
#   Chromium (Debian's)                → MLLOOP_TEST_CHROMIUM
# Installs the Debian packages first when they are missing (needs root, as on CI). Everything is
# stopped and removed when the command exits. Tests that need a component fail (never skip) when
# its variable is unset, so run them through this script:  bash scripts/with-services.sh npx vitest run …
set -euo pipefail

need_install=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/pg_ctl" ] || need_install+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_install+=(redis-server)
[ -x /usr/bin/chromium ] || need_install+=(chromium)
if [ ${#need_install[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "with-services: missing Debian packages: ${need_install[*]} (run as root, or: sudo apt-get install -y ${need_install[*]})" >&2
    exit 1
  fi
  echo "with-services: installing ${need_install[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q "${need_install[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

work=$(mktemp -d /tmp/mlloop-services.XXXXXX)
chmod 755 "$work"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  set +e
  [ -f "$work/pg/postmaster.pid" ] && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  [ -f "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null
  sleep 0.2
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pg_port=$(free_port)
mkdir -p "$work/pg"
[ ${#as_pg[@]} -gt 0 ] && chown postgres "$work/pg"
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 ||
  { cat "$work/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -w -l "$work/pg/server.log" \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null ||
  { cat "$work/pg/server.log" >&2; exit 1; }
export MLLOOP_TEST_PG_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
export MLLOOP_TEST_PG_BIN="$pg_bin"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --daemonize yes --pidfile "$work/redis.pid" \
  --appendonly yes --appendfsync always --maxmemory-policy noeviction --save "" --logfile "$work/redis.log"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
redis-cli -p "$redis_port" ping >/dev/null || { cat "$work/redis.log" >&2; exit 1; }
export MLLOOP_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
export MLLOOP_TEST_REDIS_BIN=$(command -v redis-server)
export MLLOOP_TEST_CHROMIUM=/usr/bin/chromium

echo "with-services: PostgreSQL $MLLOOP_TEST_PG_URL · Redis $MLLOOP_TEST_REDIS_URL · Chromium $MLLOOP_TEST_CHROMIUM" >&2
set +e
"$@"
status=$?
exit $status
