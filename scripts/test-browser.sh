#!/usr/bin/env bash
# Browser tests of the login demo in a real headless Chromium: the login's landing page, tampered
# and replayed responses refused without a session, returnTo, and the connection test.
# A missing Chromium, driver or Selenium fails the run.
set -euo pipefail
source "$(dirname "$0")/../Examples/HummingbirdACS/browser/demo-common.sh"
cd "$ROOT"

install_browser
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
    [[ -x "$tool" ]] || { echo "FAILED: $tool is missing" >&2; exit 1; }
done
"$PYTHON" -c "import selenium" || { echo "FAILED: Selenium is missing for $PYTHON" >&2; exit 1; }
build_server
port="$(free_port)"
log="$(mktemp)"
trap 'stop_server; rm -f "$log"' EXIT
start_server "$port" "$log"
status=0
"$PYTHON" "$EXAMPLE/browser/saml_browser.py" test "http://127.0.0.1:$port" || status=$?
if [[ $status -ne 0 ]]; then
    echo "--- demo server log ---" >&2
    tail -n 40 "$log" >&2
fi
exit $status
