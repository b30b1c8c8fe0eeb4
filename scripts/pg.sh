#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks: created in a fresh temporary folder,
# listening on a free loopback port only (no Unix socket outside that folder), trusting local
# connections, with durability switched off because nothing in it outlives the run.
#
#   scripts/pg.sh start STATE-DIR   creates and starts a cluster; writes STATE-DIR/url
#                                   (postgresql://postgres@127.0.0.1:PORT/postgres), STATE-DIR/port
#                                   and STATE-DIR/data-dir; prints the URL. Besides the superuser
#                                   "postgres" (trusted), the role "heliodesk_pw" must give its
#                                   password (scram-sha-256: "heliodesk-test-password") and owns the
#                                   database "heliodesk_pw", for the tests of passwords.
#   scripts/pg.sh stop STATE-DIR    stops that cluster and deletes its files
#   scripts/pg.sh bin               prints the folder of PostgreSQL's programs (initdb, pgbench, …)
#
# PostgreSQL refuses to run as root, so as root the server runs as the "postgres" user (made by the
# Debian package). Needs the postgresql package (Debian 12: postgresql-15); scripts/setup.sh
# installs it.
set -euo pipefail

usage() { echo "usage: scripts/pg.sh start|stop STATE-DIR | bin" >&2; exit 2; }

bindir() {
  local found
  if command -v pg_config > /dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
    return
  fi
  found="$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)"
  if [[ -z "$found" || ! -x "$found/initdb" ]]; then
    echo "scripts/pg.sh: PostgreSQL's server programs are not installed (Debian/Ubuntu: apt-get install postgresql)." >&2
    exit 1
  fi
  echo "$found"
}

as_owner() { # runs a command as the cluster's owner
  if [[ "$(id -u)" -eq 0 ]]; then
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  else
    "$@"
  fi
}

port_free() { ! (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

start() {
  local state="$1" bin data port tries
  bin="$(bindir)"
  mkdir -p "$state"
  state="$(cd "$state" && pwd)"
  if [[ -f "$state/data-dir" ]]; then
    stop "$state" || true
  fi
  data="$(mktemp -d /tmp/heliodesk-pg.XXXXXX)"
  if [[ "$(id -u)" -eq 0 ]]; then
    if ! id postgres > /dev/null 2>&1; then
      echo "scripts/pg.sh: running as root needs the \"postgres\" user (made by the postgresql package)." >&2
      exit 1
    fi
    chown postgres:postgres "$data"
  fi
  echo "$data" > "$state/data-dir"
  if ! as_owner "$bin/initdb" -D "$data/cluster" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-sync > "$state/initdb.log" 2>&1; then
    cat "$state/initdb.log" >&2
    echo "scripts/pg.sh: initdb failed (log above)." >&2
    exit 1
  fi
  # Password checks for one role, ahead of initdb's "trust" lines.
  as_owner sh -c "{ echo 'host all heliodesk_pw 127.0.0.1/32 scram-sha-256'; cat '$data/cluster/pg_hba.conf'; } > '$data/cluster/pg_hba.new' && mv '$data/cluster/pg_hba.new' '$data/cluster/pg_hba.conf'"
  # A free port: try from 54329 upwards; another server may take the port between the check and the
  # start, so a failed start moves on to the next one.
  port=54329
  for tries in $(seq 1 50); do
    while ! port_free "$port"; do port=$((port + 1)); done
    if as_owner "$bin/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB" \
        > "$state/pg_ctl.log" 2>&1; then
      echo "$port" > "$state/port"
      "$bin/psql" -q -X -v ON_ERROR_STOP=1 "postgresql://postgres@127.0.0.1:$port/postgres" \
        -c "CREATE ROLE heliodesk_pw LOGIN PASSWORD 'heliodesk-test-password'" \
        -c "CREATE DATABASE heliodesk_pw OWNER heliodesk_pw" > /dev/null
      echo "postgresql://postgres@127.0.0.1:$port/postgres" > "$state/url"
      cat "$state/url"
      return 0
    fi
    if ! grep -q -i "address already in use" "$data/server.log" 2> /dev/null; then
      cat "$state/pg_ctl.log" "$data/server.log" >&2 2> /dev/null || true
      echo "scripts/pg.sh: the PostgreSQL server did not start (log above)." >&2
      exit 1
    fi
    port=$((port + 1))
  done
  echo "scripts/pg.sh: no free port found for PostgreSQL after $tries tries." >&2
  exit 1
}

stop() {
  local state="$1" bin data
  [[ -f "$state/data-dir" ]] || { echo "scripts/pg.sh: no cluster recorded in $state"; return 0; }
  data="$(cat "$state/data-dir")"
  bin="$(bindir)"
  if [[ -d "$data/cluster" ]]; then
    as_owner "$bin/pg_ctl" -D "$data/cluster" -m immediate -w stop > /dev/null 2>&1 || true
  fi
  case "$data" in
    /tmp/heliodesk-pg.*) rm -rf "$data" ;;
  esac
  rm -f "$state/data-dir" "$state/url" "$state/port"
}

case "${1:-}" in
  start) [[ $# -eq 2 ]] || usage; start "$2" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  bin) bindir ;;
  *) usage ;;
esac
