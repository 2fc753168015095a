#!/usr/bin/env bash
# Browser tests of the login demo in a real headless Chromium:
#   1. one server (memory store): the login's landing page, tampered and replayed responses refused
#      without a session, returnTo, and the connection test; the admin page (list, add by JSON, a bad
#      certificate named, remove, Test) and, through the admin API, a SimpleSAMLphp IdP (Debian's, on
#      loopback) added from its metadata URL, tested, signed in through, removed and then refused;
#   2. two servers on one throwaway PostgreSQL store (started here), sharing --base-url and
#      --session-secret as behind a load balancer: a login started on one finishes on the other,
#      replays to either and a response used by another browser are refused, and with the database
#      stopped logins are refused (stateStoreUnavailable) until it is started again; the identity-provider
#      directory is on that database too: SimpleSAMLphp added through A's admin API signs in on B, and once
#      removed on A its session and login are refused on B within the directory's maximum age.
# A missing Chromium, driver, Selenium or PostgreSQL fails the run.
set -euo pipefail
# the second part runs on a PostgreSQL store: the example's PostgreSQL trait
DEMO_TRAITS=PostgreSQL
source "$(dirname "$0")/../Examples/HummingbirdACS/browser/demo-common.sh"
cd "$ROOT"

install_browser
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
    [[ -x "$tool" ]] || { echo "FAILED: $tool is missing" >&2; exit 1; }
done
"$PYTHON" -c "import selenium" || { echo "FAILED: Selenium is missing for $PYTHON" >&2; exit 1; }
"$ROOT/scripts/install-deps.sh" test
command -v psql >/dev/null || { echo "FAILED: psql is missing" >&2; exit 1; }
build_server

logs=()
pg_state=""
cleanup() {
    stop_server
    stop_simplesamlphp
    if [[ -n "$pg_state" ]]; then SAML_PG_STATE="$pg_state" scripts/postgres.sh destroy || true; fi
    rm -f "${logs[@]}"
}
trap cleanup EXIT
show_logs() {
    local log
    for log in "$@"; do
        echo "--- demo server log ($log) ---" >&2
        tail -n 40 "$log" >&2
    done
}

echo "=== one server, memory store" >&2
start_simplesamlphp
token="$("$PYTHON" -c 'import secrets; print(secrets.token_hex(24))')"
port="$(free_port)"
logs+=("$(mktemp)")
start_server "$port" "${logs[0]}" --admin-token "$token"
status=0
"$PYTHON" "$EXAMPLE/browser/saml_browser.py" test "http://127.0.0.1:$port" \
    --admin-token "$token" --simplesamlphp-control "$ROOT/scripts/simplesamlphp.sh" || status=$?
stop_server
if [[ $status -ne 0 ]]; then show_logs "${logs[0]}"; exit $status; fi

echo "=== two servers, one PostgreSQL store" >&2
started=$(date +%s)
# a cluster of its own (not the one of `scripts/test.sh traits`), deleted at the end
pg_state="$(mktemp -d "${TMPDIR:-/tmp}/swift-saml-pg-browser.XXXXXX")"
export SAML_PG_STATE="$pg_state"
scripts/postgres.sh start
eval "$(scripts/postgres.sh env)"
store="postgres://$SAML_PG_USER@$SAML_PG_HOST:$SAML_PG_PORT/$SAML_PG_DATABASE"
secret="$("$PYTHON" -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')"
port_a="$(free_port)"
port_b="$(free_port)"
while [[ "$port_b" == "$port_a" ]]; do port_b="$(free_port)"; done
logs+=("$(mktemp)" "$(mktemp)")
# both publish A's URLs (ACS, IdP), as instances behind one load balancer address would
start_server "$port_a" "${logs[1]}" --base-url "http://127.0.0.1:$port_a" --store "$store" --session-secret "$secret" --admin-token "$token"
start_server "$port_b" "${logs[2]}" --base-url "http://127.0.0.1:$port_a" --store "$store" --session-secret "$secret" --admin-token "$token"
"$PYTHON" "$EXAMPLE/browser/saml_browser.py" instances "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" \
    --postgres-url "$store" --postgres-control "$ROOT/scripts/postgres.sh" \
    --admin-token "$token" --simplesamlphp-control "$ROOT/scripts/simplesamlphp.sh" || status=$?
if [[ $status -ne 0 ]]; then show_logs "${logs[1]}" "${logs[2]}"; exit $status; fi
echo "two-server tests: $(( $(date +%s) - started )) s" >&2
