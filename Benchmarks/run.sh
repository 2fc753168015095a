#!/usr/bin/env bash
# Benchmarks of what users hit, each against a peer measured in the same run:
#
#   1. verification of the three document shapes given as raw XML, as the base64
#      SAMLResponse form value and as a URL-encoded form body: `saml bench verify`
#      vs a C program over the same libxml2 + xmlsec1 (c-peer/verify.c, which decodes
#      the form body and the base64 too) and Lasso (lasso-peer/verify.py);
#   2. two threads vs one;
#   3. the size curve: signed responses with 100 … 5,000 attributes (saml and C);
#   4. max RSS after 10k and 100k verifications;
#   5. request signing: HTTP-Redirect (build + DEFLATE + RSA-SHA256) vs
#      `openssl speed -seconds 3 rsa2048`, and HTTP-POST enveloped signing vs xmlsec1's
#      own signing of the same template in C (c-peer/sign.c).
#
# Every tool prints the process CPU time per operation (`cpu:`) beside the wall time
# (`verify:`/`sign:`). Ratios use CPU time: on a machine shared with other work it is
# far less disturbed than wall time (`openssl speed` also divides by CPU time).
# See Benchmarks/README.md.
#
# Environment:
#   BENCH_ITERATIONS        iterations per verification run of a ~6 KB response (default 3000)
#   BENCH_LASSO_ITERATIONS  iterations per Lasso run (default BENCH_ITERATIONS / 10, min 200)
#   BENCH_SIGN_ITERATIONS   iterations per signing run (default 1500)
#   BENCH_REPEATS           runs per configuration; the lowest CPU us/op is kept (default 3)
#   BENCH_CURVE             attribute counts for the size curve (default "100 500 1000 2000 5000"; empty skips)
#   BENCH_MEMORY            set to 0 to skip the /usr/bin/time -v memory runs
#   BENCH_SKIP_BUILD        set to 1 to reuse existing binaries
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
FIX="$ROOT/Fixtures/generated"
ITER="${BENCH_ITERATIONS:-3000}"
LASSO_ITER="${BENCH_LASSO_ITERATIONS:-$((ITER / 10))}"
((LASSO_ITER < 200)) && LASSO_ITER=200
SIGN_ITER="${BENCH_SIGN_ITERATIONS:-1500}"
REPEATS="${BENCH_REPEATS:-3}"
CURVE="${BENCH_CURVE-100 500 1000 2000 5000}"
NOW="2026-01-15T10:01:00Z"
SP_ID="https://sp.example.com/saml/acs"
ACS="https://sp.example.com/saml/acs"
REQ_ID="_req-7c1f2c5e9b0a4d6e8f10"
IDP_MD="$FIX/idp-metadata.xml"
IDP_CERT="$FIX/keys/idp-rsa.cert.pem"
SP_KEY="$FIX/keys/sp-rsa.key.pem"
SP_CERT="$FIX/keys/sp-rsa.cert.pem"
RELAY_STATE="https://sp.example.com/app?tab=profile&lang=en"

log() { printf '>> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------- packages
ensure_packages() {
    local missing=() p
    for p in python3-lasso faketime libxmlsec1-dev xmlsec1 pkg-config time openssl; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]}"
    local sudo=()
    ((EUID != 0)) && sudo=(sudo)
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; then
        "${sudo[@]}" apt-get update
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    fi
}

# ------------------------------------------------------------------ build
build() {
    "$BENCH_DIR/c-peer/build.sh" >&2
    log "swift build -c release --scratch-path .build-bench --product saml"
    (cd "$ROOT" && swift build -c release --scratch-path .build-bench --product saml) >&2
}

# ---------------------------------------------------------------- runners
C_PEER="$BENCH_DIR/.build-c/verify-peer"
C_SIGN="$BENCH_DIR/.build-c/sign-peer"
LASSO_PEER="$BENCH_DIR/lasso-peer/verify.py"
SAML=""

# Each runner: <threads> <file> <sp-key or -> [extra args]; prints the tool's output.
# The input form (raw XML, base64 value, form body) is told apart from the file's content.
run_c() {
    local threads=$1 file=$2 key=$3; shift 3
    local k=(); [[ $key != - ]] && k=(--sp-key "$key")
    "$C_PEER" --iterations "${N:-$ITER}" --threads "$threads" --cert "$IDP_CERT" --now "$NOW" "${k[@]}" "$@" "$file"
}
run_saml() {
    local threads=$1 file=$2 key=$3; shift 3
    local k=(); [[ $key != - ]] && k=(--sp-key "$key")
    "$SAML" bench verify --iterations "${N:-$ITER}" --threads "$threads" \
        --idp-metadata "$IDP_MD" --sp-entity-id "$SP_ID" --acs-url "$ACS" \
        --request-id "$REQ_ID" --now "$NOW" "${k[@]}" "$@" "$file"
}
run_lasso() {
    local threads=$1 file=$2 key=$3; shift 3
    ((threads == 1)) || die "the Lasso peer is single-threaded"
    local k=(); [[ $key != - ]] && k=(--sp-key "$key")
    FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '@2026-01-15 10:01:00' \
        /usr/bin/python3 "$LASSO_PEER" --iterations "${N:-$LASSO_ITER}" --idp-metadata "$IDP_MD" \
        --now "$NOW" "${k[@]}" "$@" "$file"
}
sign_saml() {
    "$SAML" bench authn-request --binding "$1" --iterations "${N:-$SIGN_ITER}" --idp-metadata "$IDP_MD" \
        --sp-entity-id "$SP_ID" --acs-url "$ACS" --relay-state "$RELAY_STATE" \
        --sign-key "$SP_KEY" --sign-cert "$SP_CERT" "${@:2}"
}
sign_c() { "$C_SIGN" --iterations "${N:-$SIGN_ITER}" --key "$SP_KEY" --cert "$SP_CERT" "$@"; }

# parse <output>: prints "cpu_us_per_op wall_us_per_op ops_per_s" from a tool's last lines.
parse() {
    local out=$1 line cpu
    line="$(grep -E '^(verify|sign): ' <<<"$out" | tail -1)"
    cpu="$(grep -E '^cpu: ' <<<"$out" | tail -1 | awk '{print $2}')"
    [[ -n $line && -n $cpu ]] || die "no cpu:/verify: lines in: $out"
    awk -v cpu="$cpu" '{print cpu, $4, $2}' <<<"$line"
}

# best <key> <cpu> <wall> <ops>: keeps the run with the lowest CPU time per operation.
declare -A CPU WALL OPS LOGIN
best() {
    if [[ -z ${CPU[$1]:-} ]] || awk -v a="$2" -v b="${CPU[$1]}" 'BEGIN{exit !(a < b)}'; then
        CPU[$1]=$2; WALL[$1]=$3; OPS[$1]=$4
    fi
}

# measure <key> <command…>: one run, recorded under key.
measure() {
    local key=$1 out res c w o; shift
    out="$("$@")" || die "$* failed"
    res="$(parse "$out")"
    read -r c w o <<<"$res"
    log "$key: cpu $c us/op, wall $w us/op, $o ops/s (load $(cut -d' ' -f1 /proc/loadavg))"
    best "$key" "$c" "$w" "$o"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }

# ----------------------------------------------------------------- inputs
# input_forms <xml> <dir> <name>: writes name.xml, name.b64 (the form value, no line breaks)
# and name.form (SAMLResponse=…&RelayState=…, encoded by Python's urllib as a browser would).
input_forms() {
    local xml=$1 dir=$2 name=$3
    [[ $xml -ef $dir/$name.xml ]] || cp "$xml" "$dir/$name.xml"
    base64 -w0 "$xml" >"$dir/$name.b64"
    python3 - "$dir/$name.b64" "$RELAY_STATE" >"$dir/$name.form" <<'PY'
import sys, urllib.parse
value = open(sys.argv[1]).read()
sys.stdout.write(urllib.parse.urlencode([("SAMLResponse", value), ("RelayState", sys.argv[2])]))
PY
}

# ------------------------------------------------------------ correctness
# Every implementation must reject what it must reject before its speed counts.
correctness() {
    local tmp="$TMP_DIR" w name key form
    sed 's|>alice@example.com<|>alicf@example.com<|' "$FIX/responses/assertion-signed.xml" >"$tmp/tampered.xml"
    cmp -s "$tmp/tampered.xml" "$FIX/responses/assertion-signed.xml" && die "tampering did not change the file"
    input_forms "$tmp/tampered.xml" "$tmp" tampered

    for w in "${WORKLOADS[@]}"; do
        IFS='|' read -r name _ key <<<"$w"
        for form in xml b64 form; do
            N=1 run_c 1 "$tmp/$name.$form" "$key" --check-tampered >/dev/null \
                || die "C peer failed the tamper check on $name.$form"
            N=1 run_saml 1 "$tmp/$name.$form" "$key" >/dev/null || die "saml rejected $name.$form"
        done
    done
    N=1 run_c 1 "$FIX/responses/assertion-signed-attacker.xml" - --expect-fail >/dev/null \
        || die "C peer accepted the attacker-signed response"
    log "C peer: accepts every workload in every input form, rejects tampered copies and the attacker-signed response"

    for form in xml b64 form; do
        if N=1 run_saml 1 "$tmp/tampered.$form" - >/dev/null 2>&1; then
            die "saml accepted a tampered response ($form)"
        fi
    done
    if N=1 run_saml 1 "$FIX/responses/assertion-signed-attacker.xml" - >/dev/null 2>&1; then
        die "saml accepted the attacker-signed response"
    fi
    log "saml: accepts every workload in every input form, rejects tampered copies and the attacker-signed response"

    local out
    out="$(N=1 run_lasso 1 "$FIX/responses/assertion-signed.xml" -)" || die "Lasso peer failed"
    grep '^tampered copy rejected' <<<"$out" >&2 || die "Lasso did not reject the tampered copy"
    N=1 run_lasso 1 "$FIX/responses/assertion-signed-attacker.xml" - --expect-fail >&2 \
        || die "Lasso accepted the attacker-signed response"

    N=1 sign_saml post --template "$tmp/authn-request-template.xml" >/dev/null \
        || die "saml could not sign a POST request"
    N=1 sign_c --check "$tmp/authn-request-template.xml" >&2 \
        || die "xmlsec1's signature of the template does not verify"
    N=1 sign_saml redirect >/dev/null || die "saml could not sign a Redirect request"
}

# ------------------------------------------------------------------- main
# name|fixture path under Fixtures/generated|SP key or -
# shapes/NAME.xml: made by make-idp-shapes.py (the generated content laid out as that IdP lays
# out its responses, signed by the generated IdP key with xmlsec1).
WORKLOADS=(
    "assertion-signed|responses/assertion-signed.xml|-"
    "both-signed|responses/both-signed.xml|-"
    "okta|shapes/okta.xml|-"
    "entra-id|shapes/entra-id.xml|-"
    "adfs|shapes/adfs.xml|-"
    "google|shapes/google.xml|-"
    "shibboleth|shapes/shibboleth.xml|-"
    "encrypted-gcm|responses/encrypted/assertion-signed-aes256-gcm-rsa-oaep-mgf1p.xml|$SP_KEY"
    "encrypted-cbc|responses/encrypted/response-signed-assertion-unsigned-encrypted.xml|$SP_KEY"
)
# BENCH_WORKLOADS: a space-separated subset of the names above (default: all)
if [[ -n ${BENCH_WORKLOADS:-} ]]; then
    chosen=()
    for w in "${WORKLOADS[@]}"; do [[ " $BENCH_WORKLOADS " == *" ${w%%|*} "* ]] && chosen+=("$w"); done
    WORKLOADS=("${chosen[@]}")
fi

TMP_DIR="$(mktemp -d)"
trap 'rm -rf "$TMP_DIR"' EXIT
source_of() { if [[ $1 == shapes/* ]]; then echo "$TMP_DIR/$1"; else echo "$FIX/$1"; fi; }

ensure_packages
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then build; fi
SAML="$(cd "$ROOT" && swift build -c release --scratch-path .build-bench --product saml --show-bin-path)/saml"
[[ -x $SAML ]] || die "no saml binary at $SAML"
[[ -x $C_PEER && -x $C_SIGN ]] || die "no C peers in $BENCH_DIR/.build-c (run c-peer/build.sh)"

python3 "$BENCH_DIR/make-idp-shapes.py" "$FIX" "$TMP_DIR/shapes" >&2
for w in "${WORKLOADS[@]}"; do
    IFS='|' read -r name file _ <<<"$w"
    input_forms "$(source_of "$file")" "$TMP_DIR" "$name"
done

correctness

COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain -- Sources Benchmarks Package.swift 2>/dev/null)" ]]; then COMMIT="$COMMIT+changes"; fi
echo "# Benchmarks — $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $COMMIT"
echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)"
echo "# libxml2 $(dpkg-query -W -f='${Version}' libxml2), xmlsec1 $(dpkg-query -W -f='${Version}' libxmlsec1), openssl $(dpkg-query -W -f='${Version}' libssl3), lasso $(dpkg-query -W -f='${Version}' python3-lasso), $(swift --version 2>&1 | head -1)"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share the machine; every run is logged on stderr)"
echo "# cpu = process CPU time per operation (all threads); wall = wall time x threads / operations"
echo "# iterations: verify $ITER (Lasso $LASSO_ITER), sign $SIGN_ITER; best of $REPEATS runs (lowest cpu); clock pinned at $NOW"
echo

# ------------------------------------------------ 1. verification, 1 and 2 threads
read -r -a INPUTS <<<"${BENCH_INPUTS:-xml b64 form}"
for ((rep = 0; rep < REPEATS; rep++)); do
    # Repeats are the outer loop so that implementations alternate and a burst of load
    # from other processes hits all of them rather than one.
    for w in "${WORKLOADS[@]}"; do
        IFS='|' read -r name _ key <<<"$w"
        for form in "${INPUTS[@]}"; do
            measure "$name/$form/c/1" run_c 1 "$TMP_DIR/$name.$form" "$key"
            measure "$name/$form/saml/1" run_saml 1 "$TMP_DIR/$name.$form" "$key"
        done
        measure "$name/b64/lasso/1" run_lasso 1 "$TMP_DIR/$name.xml" "$key"
        measure "$name/b64/c/2" run_c 2 "$TMP_DIR/$name.b64" "$key"
        measure "$name/b64/saml/2" run_saml 2 "$TMP_DIR/$name.b64" "$key"
    done
done

echo "## Verification, 1 thread: CPU us/op (wall us/op in brackets); ratio = saml / C peer (< 1: saml faster), speed = C / saml"
printf '%-17s %-6s %22s %22s %9s %9s %10s\n' workload input "C peer" saml "cpu ratio" "wall ratio" "cpu speed"
for w in "${WORKLOADS[@]}"; do
    IFS='|' read -r name _ _ <<<"$w"
    for form in "${INPUTS[@]}"; do
        c="$name/$form/c/1"; s="$name/$form/saml/1"
        printf '%-17s %-6s %22s %22s %9s %9s %10s\n' "$name" "$form" "${CPU[$c]} (${WALL[$c]})" "${CPU[$s]} (${WALL[$s]})" \
            "$(ratio "${CPU[$s]}" "${CPU[$c]}")" "$(ratio "${WALL[$s]}" "${WALL[$c]}")" "$(ratio "${CPU[$c]}" "${CPU[$s]}")x"
    done
done
echo
echo "## Lasso (base64 value, 1 thread) and two threads (base64 value)"
printf '%-17s %16s %11s %12s %12s %14s %14s %14s\n' workload "Lasso cpu us/op" "Lasso/saml" "saml 2t/1t" "C 2t/1t" "saml cpu 2t/1t" "C cpu 2t/1t" "saml/C cpu 2t"
for w in "${WORKLOADS[@]}"; do
    IFS='|' read -r name _ _ <<<"$w"
    printf '%-17s %16s %11s %12s %12s %14s %14s %14s\n' "$name" "${CPU[$name/b64/lasso/1]}" \
        "$(ratio "${CPU[$name/b64/lasso/1]}" "${CPU[$name/b64/saml/1]}")x" \
        "$(ratio "${OPS[$name/b64/saml/2]}" "${OPS[$name/b64/saml/1]}")" \
        "$(ratio "${OPS[$name/b64/c/2]}" "${OPS[$name/b64/c/1]}")" \
        "$(ratio "${CPU[$name/b64/saml/2]}" "${CPU[$name/b64/saml/1]}")" \
        "$(ratio "${CPU[$name/b64/c/2]}" "${CPU[$name/b64/c/1]}")" \
        "$(ratio "${CPU[$name/b64/saml/2]}" "${CPU[$name/b64/c/2]}")"
done
echo "# 2t/1t = throughput (ops/s) with two threads / one thread: bounded by the cores other processes leave free"
echo "# cpu 2t/1t = CPU time per operation with two threads / one thread: 1.00 means threads add no work (no contention)"
echo

# ----------------------------------------------------------- 3. size curve
if [[ -n $CURVE ]]; then
    mkdir -p "$TMP_DIR/curve"
    # shellcheck disable=SC2086
    python3 "$BENCH_DIR/make-attribute-responses.py" "$FIX" "$TMP_DIR/curve" $CURVE >&2
    for ((rep = 0; rep < REPEATS; rep++)); do
        for n in $CURVE; do
            f="$TMP_DIR/curve/attributes-$n.b64"
            # about the same work per run whatever the size
            iters=$((ITER * 6000 / $(stat -c %s "$TMP_DIR/curve/attributes-$n.xml")))
            ((iters < 5)) && iters=5
            N=$iters measure "curve/$n/c" run_c 1 "$f" -
            N=$iters measure "curve/$n/saml" run_saml 1 "$f" -
        done
    done
    echo "## Size curve: signed responses with N attributes, base64 value, 1 thread, CPU us/op"
    printf '%-11s %10s %12s %12s %10s %12s %12s\n' attributes "XML bytes" "C peer" saml saml/C "C / C@500" "saml / saml@500"
    base_n=500
    [[ " $CURVE " == *" 500 "* ]] || base_n="${CURVE%% *}"
    for n in $CURVE; do
        printf '%-11s %10s %12s %12s %10s %12s %12s\n' "$n" "$(stat -c %s "$TMP_DIR/curve/attributes-$n.xml")" \
            "${CPU[curve/$n/c]}" "${CPU[curve/$n/saml]}" "$(ratio "${CPU[curve/$n/saml]}" "${CPU[curve/$n/c]}")" \
            "$(ratio "${CPU[curve/$n/c]}" "${CPU[curve/$base_n/c]}")" "$(ratio "${CPU[curve/$n/saml]}" "${CPU[curve/$base_n/saml]}")"
    done
    echo
fi

# ------------------------------------------------- 6. the façade (saml bench login)
for w in "${WORKLOADS[@]}"; do
    IFS='|' read -r name _ key <<<"$w"
    [[ $name == assertion-signed || $name == okta ]] || continue
    k=(); [[ $key != - ]] && k=(--sp-key "$key")
    out="$("$SAML" bench login --iterations "$((ITER * 2))" --idp-metadata "$IDP_MD" --sp-entity-id "$SP_ID" --acs-url "$ACS" \
        --request-id "$REQ_ID" --now "$NOW" "${k[@]}" "$TMP_DIR/$name.b64")" || die "saml bench login failed on $name"
    LOGIN[$name]="$(awk '/^overhead:/ {print $2}' <<<"$out")"
    log "$name: bench login overhead ${LOGIN[$name]} (load $(cut -d' ' -f1 /proc/loadavg))"
done
echo "## The façade: SAMLServiceProvider.finishLogin ÷ the bare verifier (saml bench login, CPU time, interleaved)"
for name in "${!LOGIN[@]}"; do printf '%-17s %s\n' "$name" "${LOGIN[$name]}"; done
echo

# --------------------------------------------------------------- 5. signing
TEMPLATE="$TMP_DIR/authn-request-template.xml"
OPENSSL_SIGN_US=""
for ((rep = 0; rep < REPEATS; rep++)); do
    measure "sign/redirect/saml" sign_saml redirect
    measure "sign/post/saml" sign_saml post
    measure "sign/post/xmlsec" sign_c "$TEMPLATE"
done
log "openssl speed -seconds 3 rsa2048"
speed="$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $4}')"
[[ -n $speed ]] || die "openssl speed printed no rsa 2048 line"
OPENSSL_SIGN_US="$(awk -v s="${speed%s}" 'BEGIN{printf "%.1f", s * 1e6}')"
log "openssl speed rsa2048: $OPENSSL_SIGN_US us per signature"
echo "## Request signing, 1 thread: CPU us/op (wall us/op in brackets)"
printf '%-44s %22s %22s %8s\n' operation saml peer ratio
printf '%-44s %22s %22s %8s\n' "HTTP-Redirect build+DEFLATE+RSA-SHA256 sign" "${CPU[sign/redirect/saml]} (${WALL[sign/redirect/saml]})" \
    "$OPENSSL_SIGN_US (openssl speed)" "$(ratio "${CPU[sign/redirect/saml]}" "$OPENSSL_SIGN_US")"
printf '%-44s %22s %22s %8s\n' "HTTP-POST enveloped signing (vs xmlsec1, C)" "${CPU[sign/post/saml]} (${WALL[sign/post/saml]})" \
    "${CPU[sign/post/xmlsec]} (${WALL[sign/post/xmlsec]})" "$(ratio "${CPU[sign/post/saml]}" "${CPU[sign/post/xmlsec]}")"
echo "# openssl speed -seconds 3 rsa2048 divides by CPU user time; the figure is its 'sign' column (one RSA-2048 signature)"
echo
echo "# load average at end of timing runs: $(cut -d' ' -f1-3 /proc/loadavg)"

# ----------------------------------------------------------------- 4. memory
if [[ ${BENCH_MEMORY:-1} != 0 ]]; then
    echo
    echo "## Memory: saml bench verify (1 thread, assertion-signed, form body) under /usr/bin/time -v"
    printf '%-12s %14s %12s\n' iterations max_rss_kB wall
    declare -A RSS
    for n in 10000 100000; do
        tv="$( { /usr/bin/time -v "$SAML" bench verify --iterations "$n" --threads 1 \
                --idp-metadata "$IDP_MD" --sp-entity-id "$SP_ID" --acs-url "$ACS" \
                --request-id "$REQ_ID" --now "$NOW" "$TMP_DIR/assertion-signed.form" >/dev/null; } 2>&1 )" \
            || die "memory run failed"
        RSS[$n]="$(awk -F': ' '/Maximum resident set size/ {print $2}' <<<"$tv")"
        wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' <<<"$tv")"
        printf '%-12s %14s %12s\n' "$n" "${RSS[$n]}" "$wall"
    done
    echo "# growth from 10k to 100k: $((RSS[100000] - RSS[10000])) kB"
fi
