#!/usr/bin/env bash
# Runs the test suite under sanitizers, in a scratch directory of its own:
#   scripts/sanitize.sh address   AddressSanitizer (Swift and C) + UndefinedBehaviorSanitizer (C shims; swiftc
#                                 has no UBSan on Linux, Swift traps on overflow itself) (.build-asan)
#   scripts/sanitize.sh thread    ThreadSanitizer (.build-tsan)
# Extra arguments go to `swift test` (e.g. --filter Concurrency). Swift code and the C shims are
# instrumented; libxml2, xmlsec1 and OpenSSL are the system builds (not instrumented).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: scripts/sanitize.sh address|thread [swift test arguments]}
shift
case $mode in
    address)
        scratch=.build-asan
        flags=(-Xswiftc -sanitize=address -Xcc -fsanitize=address,undefined -Xcc -fno-sanitize-recover=undefined)
        export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:halt_on_error=1}
        export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
        ;;
    thread)
        scratch=.build-tsan
        flags=(-Xswiftc -sanitize=thread -Xcc -fsanitize=thread)
        export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
        ;;
    *) echo "unknown mode $mode (address or thread)" >&2; exit 2 ;;
esac
swift build --build-tests --scratch-path "$scratch" "${flags[@]}"
# the CLI tests look for the `saml` built alongside the tests
export SAML_EXECUTABLE=$PWD/$scratch/debug/saml
swift test --skip-build --scratch-path "$scratch" "${flags[@]}" "$@"
