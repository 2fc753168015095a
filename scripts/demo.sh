#!/usr/bin/env bash
# The login demo: builds the Hummingbird example (this library as the service provider, with the
# embedded test identity provider) and signs in to it in a real headless Chromium.
#
#   scripts/demo.sh                 build, start on a free loopback port, log in as the first user,
#                                   print the landing page, write demo-screenshot.png; then add a
#                                   SimpleSAMLphp IdP (Debian's, on loopback) through the admin API
#                                   from its metadata URL, test it, sign in through it, remove it and
#                                   show its login refused, printing the API requests and answers; exit 0
#   scripts/demo.sh --serve [--port N] [--base-url URL] [--store URL] [--session-secret S] [--admin-token T]
#                                   build and leave the server running for you; prints the URL
#                                   (--admin-token: the admin page /admin and API /admin/identity-providers)
set -euo pipefail
source "$(dirname "$0")/../Examples/HummingbirdACS/browser/demo-common.sh"
cd "$ROOT"

serve=0
flags=()
port=""
base=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --serve) serve=1 ;;
        --port) port="${2:?--port needs a value}"; shift ;;
        --base-url) base="${2:?--base-url needs a value}"; flags+=(--base-url "$2"); shift ;;
        --store|--session-secret|--admin-token)
            flags+=("$1" "${2:?$1 needs a value}")
            # PostgreSQL support is a trait of the example, built only when a store asks for it
            [[ $1 == --store && ${2,,} == postgres* ]] && DEMO_TRAITS=PostgreSQL
            shift ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

if [[ $serve -eq 1 ]]; then
    build_server
    port="${port:-8080}"
    echo "Open ${base:-http://127.0.0.1:$port}/ in a browser (Ctrl-C stops the server)." >&2
    exec "$SERVER" --port "$port" "${flags[@]}"
fi

started=$(date +%s)
# the packages the build needs first; then the build, while apt installs what the demo runs beside
# it (Chromium, its driver and Selenium, SimpleSAMLphp and PHP) — apt waits on the network and dpkg,
# the build on the CPU
"$ROOT/scripts/install-deps.sh" build
apt_log="$(mktemp)"
apt_done="$apt_log.done"
( status=0; "$ROOT/scripts/install-deps.sh" demo-run >"$apt_log" 2>&1 || status=$?; echo "$status" >"$apt_done" ) &
apt_pid=$!
build_status=0
BESIDE_WHAT="installing Chromium and SimpleSAMLphp" BESIDE_DONE="$apt_done" build_server || build_status=$?
if [[ ! -e $apt_done ]]; then echo "Waiting for apt to finish installing Chromium and SimpleSAMLphp…" >&2; fi
wait "$apt_pid" || true
apt_status="$(cat "$apt_done" 2>/dev/null || echo 1)"
if [[ $apt_status != 0 ]]; then
    cat "$apt_log" >&2
    echo "FAILED: installing the browser and SimpleSAMLphp (scripts/install-deps.sh demo-run, exit status $apt_status)" >&2
fi
rm -f "$apt_log" "$apt_done"
[[ $build_status == 0 && $apt_status == 0 ]] || exit 1
echo "Ready to run after $(( $(date +%s) - started )) s." >&2
port="${port:-$(free_port)}"
log="$(mktemp)"
trap 'stop_server; stop_simplesamlphp; rm -f "$log"' EXIT
# the second IdP, added at run time through the admin API
start_simplesamlphp
token="$("$PYTHON" -c 'import secrets; print(secrets.token_hex(24))')"
start_server "$port" "$log" "${flags[@]}" --admin-token "$token"
base="${base:-http://127.0.0.1:$port}"
echo "Demo server running at $base/ (pid $SERVER_PID); SimpleSAMLphp at $SSP_BASE_URL" >&2
"$PYTHON" "$EXAMPLE/browser/saml_browser.py" demo "$base" --screenshot "$ROOT/demo-screenshot.png" \
    --admin-token "$token" --simplesamlphp-control "$ROOT/scripts/simplesamlphp.sh"
stop_server
echo "Done in $(( $(date +%s) - started )) s." >&2
