#!/usr/bin/env bash
# Throwaway PostgreSQL 15 and Redis on loopback, for CI (.ci/run) and benchmarks (make bench).
#
#   .ci/services.sh start DIR [postgres] [redis]   start them (both by default), state in DIR
#   .ci/services.sh env DIR                        print `export DATABASE_URL=... REDIS_URL=...`
#   .ci/services.sh stop DIR                       stop whatever DIR holds, then remove DIR
#
# DIR must not exist yet, or be empty. PostgreSQL runs as the `postgres` OS user when started
# by root (initdb/postgres refuse root). Ports: the first free one from LYCEUM_PG_PORT
# (default 55432) and LYCEUM_REDIS_PORT (default 56379) upwards. Data is disposable:
# fsync is off and Redis keeps nothing on disk.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT_BASE=${LYCEUM_PG_PORT:-55432}
REDIS_PORT_BASE=${LYCEUM_REDIS_PORT:-56379}
PORT_TRIES=20

log() { echo "services: $*" >&2; }
die() { log "$*"; exit 1; }

# Run a command as the postgres OS user when we are root, else as ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    # From /, since the postgres user may not be allowed into the caller's directory.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# True when something already accepts connections on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

random_hex() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

start_postgres() {
  local dir=$1 port pass data="$1/pg/data" sock="$1/pg/run"
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL binaries not found in $PG_BIN (set PG_BIN)"
  as_pg test -x "$dir" || die "the postgres user cannot reach $dir (make its parents 755)"
  mkdir -p "$data" "$sock"
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$dir/pg"
  fi
  chmod 700 "$data"
  pass=$(random_hex)
  as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/pg-initdb.log" 2>&1 \
    || { cat "$dir/pg-initdb.log" >&2; die "initdb failed"; }
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$sock'"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "max_connections = 200"
  } >>"$data/postgresql.conf"

  for ((port = PG_PORT_BASE; port < PG_PORT_BASE + PORT_TRIES; port++)); do
    port_busy "$port" && continue
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -o "-p $port" -l "$dir/pg/postgres.log" -w -t 60 \
      start >/dev/null 2>&1; then
      break
    fi
    log "PostgreSQL did not start on port $port, trying the next one"
    tail -n 5 "$dir/pg/postgres.log" >&2 || true
  done
  ((port < PG_PORT_BASE + PORT_TRIES)) || die "no free port for PostgreSQL from $PG_PORT_BASE"
  echo "$port" >"$dir/pg.port"

  as_pg "$PG_BIN/psql" -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
    -c "CREATE ROLE lyceum LOGIN CREATEDB PASSWORD '$pass'" \
    -c "CREATE DATABASE lyceum OWNER lyceum" >/dev/null
  (umask 077 && echo "postgres://lyceum:$pass@127.0.0.1:$port/lyceum" >"$dir/database_url")
  log "PostgreSQL ready on 127.0.0.1:$port"
}

start_redis() {
  local dir=$1 port i
  command -v redis-server >/dev/null || die "redis-server is not installed"
  mkdir -p "$dir/redis"
  for ((port = REDIS_PORT_BASE; port < REDIS_PORT_BASE + PORT_TRIES; port++)); do
    port_busy "$port" && continue
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" \
      --dir "$dir/redis" >/dev/null
    for ((i = 0; i < 50; i++)); do
      # Ours answers PING and names our directory (not some other server on the port).
      if [ -s "$dir/redis/redis.pid" ] && kill -0 "$(cat "$dir/redis/redis.pid")" 2>/dev/null \
        && redis-cli -p "$port" config get dir 2>/dev/null | grep -qx "$dir/redis"; then
        echo "$port" >"$dir/redis.port"
        echo "redis://127.0.0.1:$port/0" >"$dir/redis_url"
        log "Redis ready on 127.0.0.1:$port"
        return 0
      fi
      sleep 0.1
    done
    log "Redis did not start on port $port, trying the next one"
    tail -n 5 "$dir/redis/redis.log" >&2 || true
    rm -f "$dir/redis/redis.pid"
  done
  die "no free port for Redis from $REDIS_PORT_BASE"
}

stop_all() {
  local dir=$1 pid i
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pg/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || log "pg_ctl stop failed"
  fi
  if [ -s "$dir/redis/redis.pid" ]; then
    pid=$(cat "$dir/redis/redis.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
}

print_env() {
  local dir=$1
  [ -f "$dir/database_url" ] && echo "export DATABASE_URL='$(cat "$dir/database_url")'"
  [ -f "$dir/redis_url" ] && echo "export REDIS_URL='$(cat "$dir/redis_url")'"
  return 0
}

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  die "usage: $0 start|env|stop DIR [postgres] [redis]"
fi
case "$cmd" in
  start)
    shift 2
    wanted=("$@")
    ((${#wanted[@]})) || wanted=(postgres redis)
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
      die "$dir is not empty"
    fi
    mkdir -p "$dir"
    chmod 755 "$dir"
    dir=$(cd "$dir" && pwd)
    for service in "${wanted[@]}"; do
      case "$service" in
        postgres) start_postgres "$dir" ;;
        redis) start_redis "$dir" ;;
        *) die "unknown service: $service" ;;
      esac
    done
    ;;
  env) print_env "$(cd "$dir" && pwd)" ;;
  stop) stop_all "$dir" ;;
  *) die "unknown command: $cmd" ;;
esac
