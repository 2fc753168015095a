#!/usr/bin/env bash
# Metadata benchmark (see README.md): a generated, signed federation aggregate
# (scripts/generate-federation-aggregate.sh, eduGAIN-shaped) loaded by SAMLMetadata — from the file
# (parsed block by block as it is read) and from a loopback URL (python3 http.server; the body parsed
# as it arrives) — each a whole process (parse + signature check + index, then entity lookups), against
# `xmlsec1 --verify` alone on the same file, in interleaved rounds; Lasso's Server.loadMetadata on a
# smaller aggregate; and one IdP metadata file (AWS IAM Identity Center) read by SAMLMetadata against a
# C program over libxml2 + OpenSSL.
#
# Environment:
#   BENCH_ENTITIES     entities in the aggregate (default 10000, about 65 MB)
#   BENCH_ROUNDS       interleaved rounds of xmlsec1 / saml by file / saml by URL (default 3); the table
#                      shows each tool's median, ratios are medians of the per-round ratios
#   BENCH_URL          set to 0 to skip the by-URL row
#   BENCH_LASSO        set to 0 to skip Lasso
#   BENCH_LASSO_ENTITIES  entities in the aggregate Lasso loads (default 1000: Lasso takes over 3 minutes
#                      of CPU on 10,000); saml is timed on the same smaller file for the ratio
#   BENCH_ITERATIONS   reads of the AWS metadata per program (default 20000)
# The aggregate is generated into .build-data/ (ignored by git), never committed.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/../.." && pwd)"
KEYS="$ROOT/Fixtures/generated/keys"
WORK="$DIR/.build-data"
N="${BENCH_ENTITIES:-10000}"
ITER="${BENCH_ITERATIONS:-20000}"
ROUNDS="${BENCH_ROUNDS:-3}"
AWS="$ROOT/Fixtures/reference/idp-metadata/aws-iam-identity-center_us-east-1.xml"
ROOT_ELEMENT="urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor"
LASSO_N="${BENCH_LASSO_ENTITIES:-1000}"
mkdir -p "$WORK"
log() { printf '>> %s\n' "$*" >&2; }

for tool in xmlsec1 python3 gcc pkg-config /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install xmlsec1 python3 gcc pkg-config time)" >&2; exit 1; }
done

AGG="$WORK/aggregate-$N.xml"
if [[ ! -s "$AGG" ]]; then
    log "generating a $N-entity aggregate and signing it with xmlsec1 (idp-rsa): scripts/generate-federation-aggregate.sh"
    "$ROOT/scripts/generate-federation-aggregate.sh" "$AGG" "$N"
fi
# an IdP in the middle of the document (entities i with i % 10 < 3 are IdPs)
MID=$(( (N / 2) / 10 * 10 ))
ENTITY="https://idp$MID.example-$((MID % 97)).org/idp/shibboleth"

log "building the driver (release, with the HTTPMetadata trait) and the C peer"
(cd "$DIR" && swift build -c release >&2)
BENCH="$(cd "$DIR" && swift build -c release --show-bin-path)/metadata-bench"
gcc -O2 -o "$WORK/parse-metadata" "$DIR/parse_metadata.c" $(pkg-config --cflags --libs libxml-2.0 libcrypto)

# measure LABEL CMD...: runs under /usr/bin/time -v, prints the command's stdout, records cpu/wall/rss
declare -A CPU WALL RSS
measure() {
    local label="$1"; shift
    local timing="$WORK/time-$label.txt"
    log "$label: $*"
    /usr/bin/time -v -o "$timing" "$@"
    CPU[$label]=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%.3f", u+s}' "$timing")
    WALL[$label]=$(awk -F': ' '/Elapsed/{n=split($2,a,":"); t=0; for(i=1;i<=n;i++) t=t*60+a[i]; printf "%.3f", t}' "$timing")
    RSS[$label]=$(awk -F': ' '/Maximum resident/{printf "%d", $2/1024}' "$timing")
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{if (NR%2) printf "%.3f", v[(NR+1)/2]; else printf "%.3f", (v[NR/2]+v[NR/2+1])/2}'; }

ls -l "$AGG" >&2
TOOLS=(xmlsec1 saml)
SERVER_PID=""
if [[ "${BENCH_URL:-1}" != 0 ]]; then
    # a loopback HTTP server over the data folder; the driver fetches the aggregate from it
    python3 -u -m http.server --bind 127.0.0.1 --directory "$WORK" 0 >"$WORK/http.log" 2>&1 &
    SERVER_PID=$!
    trap '[[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null' EXIT
    for _ in $(seq 50); do grep -q 'port' "$WORK/http.log" 2>/dev/null && break; sleep 0.1; done
    PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$WORK/http.log" | head -1)
    [[ -n "$PORT" ]] || { echo "the loopback HTTP server did not start: $(cat "$WORK/http.log")" >&2; exit 1; }
    URL="http://127.0.0.1:$PORT/$(basename "$AGG")"
    TOOLS+=(saml-url)
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# interleaved rounds, so a change in the machine's load touches every tool alike
for round in $(seq "$ROUNDS"); do
    measure "xmlsec1-$round" xmlsec1 --verify --pubkey-cert-pem "$KEYS/idp-rsa.cert.pem" --id-attr:ID "$ROOT_ELEMENT" "$AGG" 2>/dev/null
    # a few thousand lookups: the row compares loading; the lookup time is printed per lookup
    measure "saml-$round" "$BENCH" --file "$AGG" "$KEYS/idp-rsa.cert.pem" "$ENTITY" 5000
    if [[ -n "$SERVER_PID" ]]; then
        measure "saml-url-$round" "$BENCH" --url "$URL" "$KEYS/idp-rsa.cert.pem" "$ENTITY" 5000
    fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ "${BENCH_LASSO:-1}" != 0 ]]; then
    if /usr/bin/python3 -c 'import lasso' 2>/dev/null; then
        SMALL="$AGG"
        if [[ $LASSO_N != "$N" ]]; then
            SMALL="$WORK/aggregate-$LASSO_N.xml"
            [[ -s "$SMALL" ]] || "$ROOT/scripts/generate-federation-aggregate.sh" "$SMALL" "$LASSO_N"
        fi
        SMALL_MID=$(( (LASSO_N / 2) / 10 * 10 ))
        SMALL_ENTITY="https://idp$SMALL_MID.example-$((SMALL_MID % 97)).org/idp/shibboleth"
        measure lasso /usr/bin/python3 "$DIR/lasso_load.py" "$SMALL" "$KEYS/idp-rsa.cert.pem" "$SMALL_ENTITY"
        measure saml-small "$BENCH" "$SMALL" "$KEYS/idp-rsa.cert.pem" "$SMALL_ENTITY" 1000
    else
        log "python3-lasso is not installed (apt-get install python3-lasso); Lasso skipped"
    fi
fi

echo
echo "aggregate: $(stat -c %s "$AGG") bytes, $N entities; $ROUNDS interleaved rounds (process CPU seconds = user + sys;"
echo "peak RSS in MiB; each tool's median; ratios are the medians of the per-round ratios to xmlsec1 in the same round)"
echo "# load average: $LOAD_BEFORE before, $LOAD_AFTER after ($(nproc) cores)"
printf '%-9s %10s %10s %10s %12s %12s\n' tool cpu_s wall_s rss_mib cpu_ratio rss_ratio
for tool in "${TOOLS[@]}"; do
    cpus=(); walls=(); rsss=(); cpu_ratios=(); rss_ratios=()
    for round in $(seq "$ROUNDS"); do
        cpus+=("${CPU[$tool-$round]}"); walls+=("${WALL[$tool-$round]}"); rsss+=("${RSS[$tool-$round]}")
        cpu_ratios+=("$(awk -v a="${CPU[$tool-$round]}" -v b="${CPU[xmlsec1-$round]}" 'BEGIN{printf "%.4f", a/b}')")
        rss_ratios+=("$(awk -v a="${RSS[$tool-$round]}" -v b="${RSS[xmlsec1-$round]}" 'BEGIN{printf "%.4f", a/b}')")
    done
    printf '%-9s %10s %10s %10.0f %11.2fx %11.2fx\n' "$tool" "$(median "${cpus[@]}")" "$(median "${walls[@]}")" "$(median "${rsss[@]}")" \
        "$(median "${cpu_ratios[@]}")" "$(median "${rss_ratios[@]}")"
done
echo "per round (cpu_s/rss_mib):"
for round in $(seq "$ROUNDS"); do
    line="  round $round:"
    for tool in "${TOOLS[@]}"; do line+=" $tool ${CPU[$tool-$round]}/${RSS[$tool-$round]}"; done
    echo "$line"
done
if [[ -n "${CPU[lasso]:-}" ]]; then
    echo
    echo "Lasso on a $LASSO_N-entity aggregate ($(stat -c %s "$SMALL") bytes), saml on the same file:"
    printf '%-11s %10s %10s %10s\n' tool cpu_s wall_s rss_mib
    for label in lasso saml-small; do
        printf '%-11s %10s %10s %10s\n' "$label" "${CPU[$label]}" "${WALL[$label]}" "${RSS[$label]}"
    done
    echo "saml is $(awk -v a="${CPU[lasso]}" -v b="${CPU[saml-small]}" 'BEGIN{printf "%.0f", a/b}')x faster than Lasso (process CPU)"
fi

echo
echo "AWS IAM Identity Center metadata, $ITER reads each (parse + certificate decoding):"
SWIFT_SINGLE=$("$BENCH" --single "$AWS" "$ITER")
C_SINGLE=$("$WORK/parse-metadata" "$AWS" "$ITER")
echo "saml:  $SWIFT_SINGLE"
echo "C:     $C_SINGLE"
python3 - "$SWIFT_SINGLE" "$C_SINGLE" <<'PY'
import json, sys
swift, c = (json.loads(x)["us_per_read"] for x in sys.argv[1:3])
print(f"ratio saml / C = {swift / c:.2f}x")
PY
