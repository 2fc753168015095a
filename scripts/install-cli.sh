#!/usr/bin/env bash
# Builds the `saml` command-line tool (release, with the HTTPMetadata trait so that `saml metadata https://…`
# and `--idp-metadata https://…` fetch) and installs it with its man page and its bash, zsh and fish
# completions, all generated from the argument parser.
#
#   scripts/install-cli.sh [PREFIX]      PREFIX defaults to /usr/local; ~/.local needs no sudo
#
# Installs PREFIX/bin/saml, PREFIX/share/man/man1/saml.1,
# PREFIX/share/bash-completion/completions/saml, PREFIX/share/zsh/site-functions/_saml and
# PREFIX/share/fish/vendor_completions.d/saml.fish.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${1:-/usr/local}"
quiet() { "$@" 2> >(grep -v "prohibited flag" >&2); }

# The trait is the tool's, not the library's: packages that depend on swift-saml still build without it.
traits=(--traits HTTPMetadata)
quiet swift build -c release "${traits[@]}" --product saml
# Keep the binary just built: the manual plugin below builds `saml` again, without the trait, into the same folder.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
BIN="$WORK/saml"
cp "$(swift build -c release "${traits[@]}" --show-bin-path)/saml" "$BIN"
# A build without URL support answers a metadata URL with "built without URL support"; refuse to install that.
probe="$("$BIN" metadata http://127.0.0.1:9/ 2>&1 || true)"
if grep -q "without URL support" <<<"$probe"; then
    echo "install-cli: the saml just built cannot fetch URLs (HTTPMetadata trait missing)" >&2
    exit 1
fi
quiet swift package generate-manual --date "$(date -u +%Y-%m-%d)" >/dev/null
MAN="$(find .build/plugins/GenerateManual/outputs -name saml.1 | head -n 1)"
[[ -n "$MAN" ]] || { echo "install-cli: the man page was not generated" >&2; exit 1; }

install -d "$PREFIX/bin" "$PREFIX/share/man/man1" "$PREFIX/share/bash-completion/completions" \
    "$PREFIX/share/zsh/site-functions" "$PREFIX/share/fish/vendor_completions.d"
install -m 0755 "$BIN" "$PREFIX/bin/saml"
install -m 0644 "$MAN" "$PREFIX/share/man/man1/saml.1"
"$BIN" --generate-completion-script bash > "$PREFIX/share/bash-completion/completions/saml"
"$BIN" --generate-completion-script zsh > "$PREFIX/share/zsh/site-functions/_saml"
"$BIN" --generate-completion-script fish > "$PREFIX/share/fish/vendor_completions.d/saml.fish"
chmod 0644 "$PREFIX/share/bash-completion/completions/saml" "$PREFIX/share/zsh/site-functions/_saml" \
    "$PREFIX/share/fish/vendor_completions.d/saml.fish"

# What is installed must be what was checked.
probe="$("$PREFIX/bin/saml" metadata http://127.0.0.1:9/ 2>&1 || true)"
if grep -q "without URL support" <<<"$probe"; then
    echo "install-cli: the installed saml cannot fetch URLs" >&2
    exit 1
fi
echo "installed $("$PREFIX/bin/saml" --version | head -n 1) in $PREFIX"
echo "  man saml · completions for bash, zsh and fish (open a new shell)"
