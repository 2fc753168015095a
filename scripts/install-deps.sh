#!/usr/bin/env bash
# Installs the Debian packages this package builds and tests with, when they are missing.
#   scripts/install-deps.sh build   libraries and headers (libxml2, xmlsec1 with OpenSSL, zlib), and
#                                   libcurl, which Foundation's URLSession (FoundationNetworking) links
#   scripts/install-deps.sh demo    the above plus the headless browser and SimpleSAMLphp with PHP
#                                   (scripts/demo.sh)
#   scripts/install-deps.sh demo-run   only what the demo runs beside the build (browser, SimpleSAMLphp,
#                                   PHP): scripts/demo.sh installs it while the demo server builds
#   scripts/install-deps.sh test    the above plus the independent tools the tests use as peers, the
#                                   PostgreSQL server the store tests start, the headless browser, and
#                                   SimpleSAMLphp with PHP (a live IdP on loopback: scripts/simplesamlphp.sh)
set -euo pipefail

mode="${1:-build}"
packages=(pkg-config libxml2-dev libxmlsec1-dev libssl-dev zlib1g-dev libcurl4)
[[ $mode == demo-run ]] && packages=()
if [[ $mode == demo || $mode == demo-run ]]; then
    packages+=(python3 chromium chromium-driver python3-selenium simplesamlphp php-cli php-xml php-mbstring php-curl curl)
fi
if [[ $mode == test ]]; then
    packages+=(xmlsec1 libxml2-utils openssl python3 python3-pysaml2 python3-onelogin-saml2
               postgresql chromium chromium-driver python3-selenium
               simplesamlphp php-cli php-xml php-mbstring php-curl curl)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing: ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# simplesamlphp pulls in apache2; keep apt from starting it (the tests run SimpleSAMLphp under `php -S`).
policy=""
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    trap '$sudo rm -f "$policy"' EXIT
fi
# the package lists are read again only when they cannot serve the install (none yet, or stale): an
# earlier step of the same run has usually just read them
install() { $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; }
if ! install; then
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
