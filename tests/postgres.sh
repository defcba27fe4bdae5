#!/usr/bin/env bash
# Starts a private PostgreSQL cluster for the server's tests and prints the
# lines to `eval`: the URL (STEPWISE_TEST_POSTGRES) and the promise that
# PostgreSQL tests must run (STEPWISE_REQUIRE_POSTGRES=1).
#
# Installs PostgreSQL with apt-get when it is missing (CI runs as root).
# The cluster lives in a temporary folder, listens only on 127.0.0.1 at a
# free port, and is stopped by `tests/postgres.sh stop DIR`.
#
# Usage: eval "$(tests/postgres.sh start)"; …; tests/postgres.sh stop "$STEPWISE_PG_DIR"
set -euo pipefail

find_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-start}" in
start)
    bin=$(find_bin || true)
    if [ -z "$bin" ]; then
        echo "installing PostgreSQL with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        bin=$(find_bin)
    fi
    dir=$(mktemp -d /tmp/stepwise-pg.XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 54329)
    as_postgres "$bin/initdb" -D "$dir/data" -U stepwise --auth=trust -E UTF8 >/dev/null
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off" start >/dev/null
    echo "export STEPWISE_TEST_POSTGRES=postgres://stepwise@127.0.0.1:$port/postgres"
    echo "export STEPWISE_REQUIRE_POSTGRES=1"
    echo "export STEPWISE_PG_DIR=$dir"
    echo "export STEPWISE_PG_BIN=$bin"
    ;;
stop)
    dir="${2:?give the folder that start printed}"
    bin=$(find_bin)
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
