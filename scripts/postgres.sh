#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and the local cluster: Debian's package, a data directory of its own, a
# loopback port, trust authentication, no fsync. Never use it for data you want to keep.
#   scripts/postgres.sh install            apt-get install postgresql when no server binaries are found
#   scripts/postgres.sh start DIR PORT     initdb DIR (when empty) and start on 127.0.0.1:PORT; prints the connection string
#   scripts/postgres.sh stop DIR           stop the server of DIR (immediate) and delete DIR
set -euo pipefail

bindir() {
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# initdb and postgres refuse to run as root: run them as the postgres user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  install)
    if [ -z "$(bindir || true)" ]; then
      echo "postgres.sh: installing PostgreSQL (apt-get)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2 || true
      # Without an init system the package's own server may fail to start; the binaries are what we need.
      apt-get install -y -qq postgresql >&2 || true
      if [ -z "$(bindir || true)" ]; then echo "postgres.sh: apt-get could not install postgresql" >&2; exit 1; fi
      # Debian's package starts a cluster of its own on 5432; the tests don't use it.
      if command -v pg_ctlcluster >/dev/null 2>&1; then
        for c in $(ls /etc/postgresql 2>/dev/null); do pg_ctlcluster "$c" main stop >/dev/null 2>&1 || true; done
      fi
    fi
    ;;
  start)
    dir=${2:?data directory}; port=${3:?port}
    bin=$(bindir) || { echo "postgres.sh: no PostgreSQL server binaries; run 'scripts/postgres.sh install'" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$dir"; chmod 700 "$dir"
      chmod o+x "$(dirname "$dir")"  # a mktemp -d parent is 700: the postgres user must be able to reach DIR
    fi
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --no-sync >"$dir.initdb.log" 2>&1 \
        || { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    ;;
  stop)
    dir=${2:?data directory}
    bin=$(bindir) || exit 0
    if [ -f "$dir/postmaster.pid" ]; then as_owner "$bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir" "$dir.initdb.log"
    ;;
  *)
    echo "usage: $0 install | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
