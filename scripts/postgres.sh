#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the SAMLPostgres tests and benchmark: Debian's server binaries,
# a data directory under a temporary directory, listening on 127.0.0.1 on a free port, trust auth.
#
#   scripts/postgres.sh start   create the cluster if needed (same port on every restart) and start it
#   scripts/postgres.sh stop    stop it (the data directory stays until `destroy`)
#   scripts/postgres.sh env     print `export SAML_PG_...` lines: eval "$(scripts/postgres.sh env)"
#   scripts/postgres.sh destroy stop it and delete its directory
#
# The directory defaults to ${TMPDIR:-/tmp}/swift-saml-pg-<hash of this checkout>; set SAML_PG_STATE to
# choose another. initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
state="${SAML_PG_STATE:-${TMPDIR:-/tmp}/swift-saml-pg-$(printf '%s' "$root" | cksum | cut -d' ' -f1)}"
data="$state/data"

bin="${PG_BIN:-}"
if [[ -z "$bin" ]]; then
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
fi

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

need_bin() {
    if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
        echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
        exit 1
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running() {
    [[ -d "$data" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

case "${1:-}" in
start)
    need_bin
    if [[ ! -f "$data/PG_VERSION" ]]; then
        rm -rf "$state"
        mkdir -p "$state"
        chmod 700 "$state"
        if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$state"; fi
        as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >"$state/initdb.log" 2>&1 \
            || { cat "$state/initdb.log" >&2; exit 1; }
        free_port >"$state/port"
    fi
    port="$(cat "$state/port")"
    if running; then
        echo "PostgreSQL already running on 127.0.0.1:$port ($data)" >&2
        exit 0
    fi
    as_owner "$bin/pg_ctl" -D "$data" -l "$state/server.log" -w -t 60 \
        -o "-p $port -k $state -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
        || { tail -20 "$state/server.log" >&2; exit 1; }
    echo "PostgreSQL started on 127.0.0.1:$port ($data)" >&2
    ;;
stop)
    if running; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
        echo "PostgreSQL stopped ($data)" >&2
    fi
    ;;
destroy)
    if running; then as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi
    rm -rf "$state"
    ;;
env)
    if [[ ! -f "$state/port" ]]; then
        echo "no cluster: run scripts/postgres.sh start first" >&2
        exit 1
    fi
    echo "export SAML_PG_HOST=127.0.0.1"
    echo "export SAML_PG_PORT=$(cat "$state/port")"
    echo "export SAML_PG_USER=postgres"
    echo "export SAML_PG_DATABASE=postgres"
    echo "export SAML_PG_CONTROL=$root/scripts/postgres.sh"
    echo "export SAML_PG_STATE=$state"
    ;;
*)
    echo "usage: $0 start|stop|env|destroy" >&2
    exit 2
    ;;
esac
