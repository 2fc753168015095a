#!/usr/bin/env bash
# Builds the C peers into Benchmarks/.build-c/: verify-peer (verification) and sign-peer
# (xmlsec1's own enveloped signing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../.build-c"
mkdir -p "$out"
# pkg-config's cflags carry -D flags that change xmlsec's ABI; they must reach gcc.
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -Wno-unused-parameter $(pkg-config --cflags xmlsec1-openssl) \
    "$here/verify.c" -o "$out/verify-peer" $(pkg-config --libs xmlsec1-openssl) -lpthread
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -Wno-unused-parameter $(pkg-config --cflags xmlsec1-openssl) \
    "$here/sign.c" -o "$out/sign-peer" $(pkg-config --libs xmlsec1-openssl)
echo "built $out/verify-peer $out/sign-peer"
