# Shared by scripts/demo.sh and scripts/test-browser.sh (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
EXAMPLE="$ROOT/Examples/HummingbirdACS"
# one build folder for the demo server, shared by the demo, the browser tests and --serve; the
# PostgreSQL build (DEMO_TRAITS=PostgreSQL, for --store postgres://…) has its own, so switching
# between the two rebuilds nothing
demo_paths() {
    SCRATCH="$ROOT/.build-examples${DEMO_TRAITS:+-$(tr 'A-Z,' 'a-z-' <<<"$DEMO_TRAITS")}"
    SERVER="$SCRATCH/debug/HummingbirdACS"
}
demo_paths
# Debian's python3, which sees Debian's python3-selenium
PYTHON=/usr/bin/python3

install_browser() {
    local packages=(chromium chromium-driver python3-selenium python3) missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    echo "Installing: ${missing[*]}" >&2
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build_progress: swift build's output with its "[N/M] Compiling …" lines folded into one progress
# line (rewritten in place on a terminal, else printed every 15 s); everything else passes through.
# With BESIDE_WHAT and BESIDE_DONE set (a job running beside the build, which creates the file
# BESIDE_DONE when it ends), the line says what else is going on until it has ended.
build_progress() {
    local line last=-15 started=$SECONDS tty=0 beside
    [[ -t 2 ]] && tty=1
    while IFS= read -r line; do
        if [[ $line =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
            beside=""
            [[ -n ${BESIDE_WHAT:-} && ! -e ${BESIDE_DONE:-/} ]] && beside="; $BESIDE_WHAT"
            if [[ $tty -eq 1 ]]; then
                printf '\r\033[K  building: step %s of %s, %s s%s ' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" $((SECONDS - started)) "$beside" >&2
            elif ((SECONDS - last >= 15)); then
                last=$SECONDS
                printf '  building: step %s of %s, %s s%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" $((SECONDS - started)) "$beside" >&2
            fi
        elif [[ $line != *"prohibited flag"* ]]; then
            [[ $tty -eq 1 ]] && printf '\r\033[K' >&2
            printf '%s\n' "$line" >&2
        fi
    done
    [[ $tty -eq 1 ]] && printf '\n' >&2
    return 0
}

# build_server: the demo server, with the traits in DEMO_TRAITS (none: the in-memory store only).
build_server() {
    "$ROOT/scripts/install-deps.sh" build || return
    demo_paths
    local traits=()
    [[ -n ${DEMO_TRAITS:-} ]] && traits=(--traits "$DEMO_TRAITS")
    echo "Building the demo server (Examples/HummingbirdACS${DEMO_TRAITS:+ with $DEMO_TRAITS}, build folder ${SCRATCH#"$ROOT"/})…" >&2
    # the library is a path dependency: plan the build again, so files moved or removed there since
    # the last build are not looked for
    rm -f "$SCRATCH/debug.yaml" "$SCRATCH"/*/debug/description.json
    local started=$SECONDS status=0
    swift build --package-path "$EXAMPLE" --scratch-path "$SCRATCH" --product HummingbirdACS "${traits[@]}" 2>&1 \
        | build_progress || status=$?
    if ((status != 0)); then
        echo "The demo server did not build (exit status $status)." >&2
        return "$status"
    fi
    echo "Built in $((SECONDS - started)) s." >&2
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_server PORT LOGFILE [server flags…]: starts the server in the background and waits until it answers.
# SERVER_PID is the last one started; stop_server stops every one started.
SERVER_PIDS=()
start_server() {
    local port="$1" log="$2"
    shift 2
    "$SERVER" --port "$port" "$@" >"$log" 2>&1 &
    SERVER_PID=$!
    SERVER_PIDS+=("$SERVER_PID")
    local i
    for i in $(seq 1 120); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "The demo server exited:" >&2
            cat "$log" >&2
            return 1
        fi
        if "$PYTHON" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
            "http://127.0.0.1:$port/saml/metadata" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "The demo server did not answer within 60 s:" >&2
    cat "$log" >&2
    return 1
}

stop_server() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    SERVER_PIDS=()
    SERVER_PID=""
}

# start_simplesamlphp: a SimpleSAMLphp IdP on a free loopback port (scripts/simplesamlphp.sh), its SSP_*
# variables exported; stop_simplesamlphp stops it and deletes its folder.
start_simplesamlphp() {
    eval "$("$ROOT/scripts/simplesamlphp.sh" start)"
}

stop_simplesamlphp() {
    if [[ -n "${SSP_DIR:-}" ]]; then
        "$ROOT/scripts/simplesamlphp.sh" stop >/dev/null 2>&1 || true
        unset SSP_DIR
    fi
}
