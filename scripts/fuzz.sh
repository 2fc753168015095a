#!/usr/bin/env bash
# Builds one libFuzzer target of Fuzz/ (with AddressSanitizer) and runs it for SECONDS on its
# committed corpus. Exits non-zero on any crash, leak, timeout or out-of-memory.
#
#   scripts/fuzz.sh verify 60          # one target for a minute
#   scripts/fuzz.sh all 20             # every target for 20 s each (the bounded CI step)
#   scripts/fuzz.sh verify 0 -runs=N   # extra arguments go to libFuzzer (0 s = no time limit)
#
# New inputs found during a run go to a scratch corpus (Fuzz/.build-corpus/TARGET), never into the
# committed one; crashing inputs are written to Fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(verify metadata redirect keys logout)
target=${1:?usage: scripts/fuzz.sh verify|metadata|redirect|keys|logout|all SECONDS [libFuzzer args]}
seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2

# The Swift runtime's backtracer, attached to a target that fatalError()s under ASan, can outlive
# it holding stdout open; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

configuration=${FUZZ_CONFIGURATION:-release}
scratch=Fuzz/.build
swift build --package-path Fuzz --scratch-path "$scratch" -c "$configuration" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    -Xcc -fsanitize=fuzzer-no-link,address >&2
bin=$(swift build --package-path Fuzz --scratch-path "$scratch" -c "$configuration" --show-bin-path)

run_one() {
    local name=$1 product
    shift
    case $name in
        verify) product=FuzzVerify; max_len=65536 ;;
        metadata) product=FuzzMetadata; max_len=131072 ;;
        redirect) product=FuzzRedirect; max_len=16384 ;;
        keys) product=FuzzKeys; max_len=16384 ;;
        logout) product=FuzzLogout; max_len=65536 ;;
        *) echo "unknown target $name (one of ${targets[*]})" >&2; exit 2 ;;
    esac
    local work=Fuzz/.build-corpus/$name
    mkdir -p "$work" Fuzz/artifacts
    local limit=()
    [ "$seconds" -gt 0 ] && limit=(-max_total_time="$seconds")
    echo "== fuzz $name for ${seconds}s" >&2
    # -timeout: one input may not take more than 5 s; -rss_limit_mb: nor 2 GB (ASan included)
    "$bin/$product" "$work" "Fuzz/Corpus/$name" \
        -dict="Fuzz/Dictionaries/$name.dict" -max_len="$max_len" -timeout=5 -rss_limit_mb=2048 \
        -detect_leaks=1 -artifact_prefix="Fuzz/artifacts/$name-" -print_final_stats=1 \
        "${limit[@]}" "$@"
}

if [ "$target" = all ]; then
    for name in "${targets[@]}"; do run_one "$name" "$@"; done
else
    run_one "$target" "$@"
fi
