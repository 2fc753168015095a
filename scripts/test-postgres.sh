#!/usr/bin/env bash
# Runs the SAMLPostgres tests against a real PostgreSQL: installs Debian's `postgresql` when its server
# binaries are missing, starts a throwaway cluster on loopback (scripts/postgres.sh), builds with the
# PostgreSQL trait, runs the SAMLPostgresTests, and stops and deletes the cluster however the tests end.
# The tests fail (they never skip) when the cluster's connection settings are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

scripts/postgres.sh start
trap 'scripts/postgres.sh destroy' EXIT
eval "$(scripts/postgres.sh env)"

swift test --traits PostgreSQL --filter SAMLPostgresTests "$@"
