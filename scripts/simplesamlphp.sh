#!/usr/bin/env bash
# A throwaway SimpleSAMLphp identity provider on loopback, as a developer runs one on their machine.
#
# Uses Debian's `simplesamlphp` package (1.19.x; `scripts/install-deps.sh test` installs it) under PHP's built-in
# server — no Apache, nothing written outside one temporary folder.
#
#   eval "$(scripts/simplesamlphp.sh start)"     start an IdP; prints the SSP_* variables below as shell exports
#   scripts/simplesamlphp.sh register-sp …       register a service provider (see below); live at once
#   scripts/simplesamlphp.sh env                 print the SSP_* variables of the running IdP again
#   scripts/simplesamlphp.sh stop                stop it and delete its folder
#
# Variables (start honours SSP_DIR and SSP_PORT when set; otherwise a fresh temp folder and a free port):
#   SSP_DIR           the folder holding config, keys, sessions, the log and the pid file
#   SSP_BASE_URL      http://127.0.0.1:PORT/
#   SSP_METADATA_URL  the IdP's metadata (…/saml2/idp/metadata.php); SSP_METADATA_FILE is a copy of it
#   SSP_ENTITY_ID     the IdP's entity ID (equal to SSP_METADATA_URL)
#   SSP_SSO_URL, SSP_SLO_URL, SSP_IDP_INITIATED_URL (append the SP's entity ID, URL-encoded)
#   SSP_USERS         "student:studentpass employee:employeepass"
# `env` and `stop` find the IdP through SSP_DIR, or else through the last one `start` created.
#
# Registering a service provider (SimpleSAMLphp re-reads its metadata on every request):
#   scripts/simplesamlphp.sh register-sp sp-metadata.xml [OPTIONS]
#       from the SP's SAML metadata, e.g. `saml sp-metadata … > sp.xml` (entity ID, ACS, SLO and certificates)
#   scripts/simplesamlphp.sh register-sp --entity-id ID --acs URL [--slo URL] [--cert PEM-FILE] [OPTIONS]
#       from plain values
#   OPTIONS: --encrypt-assertions   encrypt the assertion to the SP's certificate (rsa-oaep-mgf1p + AES-CBC)
#            --unsigned-response    sign only the assertion (by default both the Response and the assertion)
#            --unsigned-assertion   sign only the Response
#            --validate-requests    require signed AuthnRequests and LogoutRequests from this SP
#            --name-id-format URI   the NameID format to issue (default: the IdP's transient IDs)
#            --name NAME            file name for the registration (default: derived from the entity ID);
#                                   registering the same entity ID again replaces it
# Users (exampleauth:UserPass): student/studentpass and employee/employeepass, with uid, mail, displayName and
# eduPersonAffiliation attributes (names as SimpleSAMLphp sends them: basic, unspecified format).
set -euo pipefail

root="${TMPDIR:-/tmp}/swift-saml-simplesamlphp"
pointer="$root/current"
ssp_home=/usr/share/simplesamlphp

die() { echo "simplesamlphp.sh: $*" >&2; exit 1; }

current_dir() {
    local dir="${SSP_DIR:-}"
    if [[ -z "$dir" && -f "$pointer" ]]; then dir="$(cat "$pointer")"; fi
    [[ -n "$dir" && -f "$dir/env" ]] || die "no SimpleSAMLphp IdP is running (start one with: $0 start)"
    echo "$dir"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

write_config() {
    local dir="$1" port="$2"
    mkdir -p "$dir"/{cert,log,data,tmp,sessions,metadata,sp}
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=SimpleSAMLphp test IdP" \
        -keyout "$dir/cert/idp.key" -out "$dir/cert/idp.crt" 2>/dev/null
    local salt
    salt="$(openssl rand -hex 16)"
    cat > "$dir/config/config.php" <<PHP
<?php
\$config = [
    'baseurlpath' => 'http://127.0.0.1:$port/',
    'certdir' => '$dir/cert/',
    'loggingdir' => '$dir/log/',
    'datadir' => '$dir/data/',
    'tempdir' => '$dir/tmp/',
    'metadatadir' => '$dir/metadata/',
    'attributenamemapdir' => '$ssp_home/attributemap/',
    'technicalcontact_name' => 'swift-saml tests',
    'technicalcontact_email' => 'tests@example.invalid',
    'timezone' => 'UTC',
    'secretsalt' => '$salt',
    'auth.adminpassword' => '$salt',
    'admin.protectindexpage' => false,
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,
    'showerrors' => true,
    'errorreporting' => false,
    'logging.level' => SimpleSAML\Logger::INFO,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'enable.saml20-idp' => true,
    'enable.shib13-idp' => false,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true],
    'store.type' => 'phpsession',
    'session.phpsession.savepath' => '$dir/sessions',
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'language.cookie.secure' => false,
    'language.cookie.samesite' => null,
    'production' => false,
    'metadata.sources' => [['type' => 'flatfile']],
    'trusted.url.domains' => ['127.0.0.1', 'localhost'],
];
PHP
    cat > "$dir/config/authsources.php" <<'PHP'
<?php
$config = [
    'admin' => ['core:AdminPassword'],
    'example-userpass' => [
        'exampleauth:UserPass',
        'student:studentpass' => [
            'uid' => ['student'],
            'mail' => ['student@example.org'],
            'displayName' => ['Stu Dent'],
            'eduPersonAffiliation' => ['member', 'student'],
        ],
        'employee:employeepass' => [
            'uid' => ['employee'],
            'mail' => ['employee@example.org'],
            'displayName' => ['Em Ployee'],
            'eduPersonAffiliation' => ['member', 'employee'],
        ],
    ],
];
PHP
    cat > "$dir/metadata/saml20-idp-hosted.php" <<'PHP'
<?php
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'example-userpass',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'sign.logout' => true,
    'SingleSignOnServiceBinding' => [
        'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
    ],
    'SingleLogoutServiceBinding' => [
        'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
    ],
    'assertion.encryption.keyAlgorithm' => 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
];
PHP
    # Every registration in sp/ is either NAME.xml (SP metadata) with NAME.options.json, or NAME.json (plain values).
    cat > "$dir/metadata/saml20-sp-remote.php" <<'PHP'
<?php
$spDir = dirname(__DIR__) . '/sp';
foreach (glob($spDir . '/*.xml') as $file) {
    $optionsFile = substr($file, 0, -4) . '.options.json';
    $options = is_file($optionsFile) ? json_decode(file_get_contents($optionsFile), true) : [];
    foreach (\SimpleSAML\Metadata\SAMLParser::parseDescriptorsFile($file) as $entityId => $entity) {
        $sp = $entity->getMetadata20SP();
        if ($sp !== null) {
            $metadata[$entityId] = array_merge($sp, $options);
        }
    }
}
foreach (glob($spDir . '/*.json') as $file) {
    if (substr($file, -13) === '.options.json') {
        continue;
    }
    $sp = json_decode(file_get_contents($file), true);
    $metadata[$sp['entityid']] = $sp;
}
PHP
}

start() {
    command -v php >/dev/null || die "php is not installed (scripts/install-deps.sh test)"
    [[ -d "$ssp_home/www" ]] || die "Debian's simplesamlphp is not installed (scripts/install-deps.sh test)"
    mkdir -p "$root"
    local dir="${SSP_DIR:-}"
    if [[ -z "$dir" ]]; then dir="$(mktemp -d "$root/idp.XXXXXX")"; fi
    mkdir -p "$dir/config"
    dir="$(cd "$dir" && pwd)"
    local port="${SSP_PORT:-$(free_port)}"
    write_config "$dir" "$port"

    local base="http://127.0.0.1:$port/"
    # The server closes every descriptor it inherits beyond 0-2: a caller that waits for this script through
    # a pipe (command substitution, Foundation's Process) must see it end.
    (
        for fd in /proc/self/fd/*; do
            n="${fd##*/}"
            if [[ "$n" -gt 2 ]]; then eval "exec $n>&-" 2>/dev/null || true; fi
        done
        SIMPLESAMLPHP_CONFIG_DIR="$dir/config" PHP_CLI_SERVER_WORKERS=4 \
            exec php -S "127.0.0.1:$port" -t "$ssp_home/www"
    ) >"$dir/log/php-server.log" 2>&1 </dev/null &
    echo $! > "$dir/php.pid"
    local ok=""
    for _ in $(seq 1 100); do
        if curl -fsS -o "$dir/idp-metadata.xml" "${base}saml2/idp/metadata.php" 2>/dev/null; then ok=1; break; fi
        sleep 0.1
    done
    if [[ -z "$ok" ]]; then
        kill "$(cat "$dir/php.pid")" 2>/dev/null || true
        cat "$dir/log/php-server.log" >&2
        die "SimpleSAMLphp did not answer on $base"
    fi
    cat > "$dir/env" <<ENV
export SSP_DIR='$dir'
export SSP_PORT='$port'
export SSP_BASE_URL='$base'
export SSP_METADATA_URL='${base}saml2/idp/metadata.php'
export SSP_METADATA_FILE='$dir/idp-metadata.xml'
export SSP_ENTITY_ID='${base}saml2/idp/metadata.php'
export SSP_SSO_URL='${base}saml2/idp/SSOService.php'
export SSP_SLO_URL='${base}saml2/idp/SingleLogoutService.php'
export SSP_IDP_INITIATED_URL='${base}saml2/idp/SSOService.php?spentityid='
export SSP_USERS='student:studentpass employee:employeepass'
ENV
    echo "$dir" > "$pointer"
    cat "$dir/env"
}

stop() {
    local dir
    dir="$(current_dir)"
    if [[ -f "$dir/php.pid" ]]; then
        local pid
        pid="$(cat "$dir/php.pid")"
        # Workers are children of the server process; stop them with it. SIGKILL if SIGTERM is ignored
        # (a test runner may hand down an ignored SIGTERM).
        local workers
        workers="$(pgrep -P "$pid" || true)"
        kill $workers "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.05
        done
        kill -9 $workers "$pid" 2>/dev/null || true
    fi
    [[ -f "$pointer" && "$(cat "$pointer")" == "$dir" ]] && rm -f "$pointer"
    case "$dir" in
        "$root"/*) rm -rf "$dir" ;;
        *) rm -rf "$dir/config" "$dir/cert" "$dir/sessions" "$dir/tmp" "$dir/data" "$dir/metadata" "$dir/sp" ;;
    esac
}

register_sp() {
    local dir
    dir="$(current_dir)"
    python3 - "$dir/sp" "$@" <<'PY'
import json, os, re, sys, shutil
spdir, args = sys.argv[1], sys.argv[2:]
xml = None; entity = acs = slo = cert = name = fmt = None
options = {}
i = 0
def value():
    global i
    i += 1
    if i >= len(args): sys.exit(f"simplesamlphp.sh: {args[i-1]} needs a value")
    return args[i]
while i < len(args):
    a = args[i]
    if a == "--entity-id": entity = value()
    elif a == "--acs": acs = value()
    elif a == "--slo": slo = value()
    elif a == "--cert": cert = value()
    elif a == "--name": name = value()
    elif a == "--name-id-format": fmt = value()
    elif a == "--encrypt-assertions": options["assertion.encryption"] = True
    elif a == "--unsigned-response": options["saml20.sign.response"] = False
    elif a == "--unsigned-assertion": options["saml20.sign.assertion"] = False
    elif a == "--validate-requests":
        options["validate.authnrequest"] = True; options["validate.logout"] = True
    elif a.startswith("--"): sys.exit(f"simplesamlphp.sh: unknown option {a}")
    elif xml is None: xml = a
    else: sys.exit(f"simplesamlphp.sh: unexpected argument {a}")
    i += 1
if fmt: options["NameIDFormat"] = fmt
if xml is None and (entity is None or acs is None):
    sys.exit("simplesamlphp.sh: register-sp needs SP metadata (a file) or --entity-id and --acs")
if xml is not None:
    text = open(xml, encoding="utf-8").read()
    if entity is None:
        m = re.search(r'entityID="([^"]+)"', text)
        entity = m.group(1) if m else os.path.basename(xml)
key = name or re.sub(r"[^A-Za-z0-9]+", "-", entity).strip("-")[:80]
for suffix in (".xml", ".json", ".options.json"):
    p = os.path.join(spdir, key + suffix)
    if os.path.exists(p): os.remove(p)
if xml is not None:
    shutil.copyfile(xml, os.path.join(spdir, key + ".xml"))
    json.dump(options, open(os.path.join(spdir, key + ".options.json"), "w"))
else:
    sp = {"entityid": entity,
          "AssertionConsumerService": [{"Binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                                        "Location": acs, "index": 0}]}
    if slo:
        sp["SingleLogoutService"] = [{"Binding": b, "Location": slo} for b in (
            "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST")]
    if cert:
        pem = open(cert, encoding="ascii").read()
        body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
        sp["keys"] = [{"type": "X509Certificate", "signing": True, "encryption": True, "X509Certificate": body}]
    sp.update(options)
    json.dump(sp, open(os.path.join(spdir, key + ".json"), "w"), indent=1)
print(entity)
PY
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) cat "$(current_dir)/env" ;;
    register-sp) shift; register_sp "$@" ;;
    *) sed -n '2,36p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
