"""The identity-provider admin API of the login demo, driven as an operator would: a SimpleSAMLphp IdP
(Debian's package under `php -S`, scripts/simplesamlphp.sh) added at run time from its own metadata URL,
tested, signed in through in Chromium, removed, and its login then refused.

Every admin request and answer is printed (method, path, status, JSON), so a run can be quoted as a
transcript. Imported by saml_browser.py.
"""
import http.server
import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By

ADMIN_PATH = "/admin/identity-providers"
SSP_ID = "simplesamlphp"


class AdminAPI:
    """The admin API of one server, with its bearer token; prints each exchange when `transcript`."""

    def __init__(self, base, token, transcript=True, label=""):
        self.base = base
        self.token = token
        self.transcript = transcript
        self.label = label

    def call(self, method, path, body=None, expect=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        answer = json.loads(raw) if raw else {}
        if self.transcript:
            where = f" [{self.label}]" if self.label else ""
            print(f"> {method} {path}{where}")
            if body is not None:
                print("> " + json.dumps(body, sort_keys=True))
            print(f"< {status}")
            print("< " + json.dumps(answer, indent=2, sort_keys=True).replace("\n", "\n< "))
            print()
        if expect is not None and status != expect:
            raise AssertionError(f"{method} {path} answered {status}, not {expect}: {answer}")
        return status, answer


class SimpleSAMLphp:
    """The running SimpleSAMLphp IdP (the SSP_* variables of `scripts/simplesamlphp.sh start`)."""

    def __init__(self, control):
        self.control = control
        self.metadata_url = os.environ["SSP_METADATA_URL"]
        self.entity_id = os.environ["SSP_ENTITY_ID"]
        self.base_url = os.environ["SSP_BASE_URL"]

    def register(self, sp_metadata, name="swift-saml-demo"):
        """Registers the SP from its metadata document (live at once: SimpleSAMLphp re-reads its files)."""
        with tempfile.NamedTemporaryFile("wb", suffix=".xml", delete=False) as file:
            file.write(sp_metadata)
        try:
            subprocess.run([self.control, "register-sp", file.name, "--name", name, "--encrypt-assertions"], check=True,
                           stdout=subprocess.DEVNULL)
        finally:
            os.unlink(file.name)


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def sign_in_at_simplesamlphp(driver, check, wait_for, user="student", password="studentpass"):
    """On SimpleSAMLphp's login form (or straight through when its session is still open)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if driver.find_elements(By.ID, "password"):
            driver.find_element(By.ID, "username").clear()
            driver.find_element(By.ID, "username").send_keys(user)
            driver.find_element(By.ID, "password").send_keys(password)
            driver.find_element(By.ID, "password").submit()
            return True
        if "/saml2/idp/" not in driver.current_url and "/module.php/" not in driver.current_url:
            return False
        time.sleep(0.2)
    check(False, f"SimpleSAMLphp's login form did not appear: {driver.current_url}")


def simplesamlphp_round_trip(driver, base, api, ssp, helpers, second=None):
    """Adds SimpleSAMLphp through the admin API (on `api`), tests it, signs in through it in Chromium
    (on `second` when given: another instance sharing the directory), removes it and shows that its
    login and session are then refused. `helpers` carries check, wait_for, text, start_fresh,
    wait_landing, wait_error_page and SESSION_COOKIE from saml_browser.py."""
    check, wait_for, text = helpers["check"], helpers["wait_for"], helpers["text"]
    login_base = second or base
    print("=== the admin API adds SimpleSAMLphp from its own metadata URL")
    _, listed = api.call("GET", ADMIN_PATH, expect=200)
    before = [idp["id"] for idp in listed["identity_providers"]]
    check(SSP_ID not in before, f"{SSP_ID} is in the directory before it was added: {before}")
    _, added = api.call("POST", ADMIN_PATH, {"id": SSP_ID, "name": "SimpleSAMLphp (Debian)", "metadata_url": ssp.metadata_url,
                                             "generate_sp_keys": True}, expect=201)
    check(added["entity_id"] == ssp.entity_id, f"entity ID {added['entity_id']!r}")
    check((added.get("metadata_status") or {}).get("state") == "fresh", f"metadata status {added.get('metadata_status')}")
    check(added["certificate_expiry"], "no certificate expiry")
    # a bad request names its field
    api.call("POST", ADMIN_PATH, {"name": "Copy", "metadata_url": ssp.metadata_url}, expect=409)
    api.call("POST", ADMIN_PATH, {"name": "Nowhere", "metadata_url": ssp.base_url + "no-such-metadata.xml"}, expect=422)

    print("=== this SP's metadata for SimpleSAMLphp (its own signing and encryption keys, every ACS URL)")
    sp_metadata = fetch(added["sp_metadata_url"])
    print(f"GET {urllib.parse.urlsplit(added['sp_metadata_url']).path} -> {len(sp_metadata)} bytes")
    print(sp_metadata.decode())
    print()
    for key in added["sp_keys"]:
        check(key["state"] == "active", f"unexpected key {key}")
    ssp.register(sp_metadata)
    print("registered at SimpleSAMLphp: scripts/simplesamlphp.sh register-sp <that metadata>\n")

    print("=== Test: a real round trip, no session")
    _, test = api.call("POST", ADMIN_PATH + "/" + SSP_ID + "/test", expect=200)
    helpers["clear"](driver, base)
    driver.get(test["login_url"])
    sign_in_at_simplesamlphp(driver, check, wait_for)
    wait_for(driver, By.ID, "result")
    check("No session was created" in text(driver, "result"), f"connection test: {text(driver, 'result')!r}")
    check(text(driver, "issuer") == ssp.entity_id, "the test's identity is not SimpleSAMLphp's")
    check(driver.get_cookie(helpers["SESSION_COOKIE"]) is None, "the connection test created a session")
    checks = len(driver.find_elements(By.CSS_SELECTOR, "#trace tr.passed"))
    check(checks >= 5 and not driver.find_elements(By.CSS_SELECTOR, "#trace tr.failed"), f"{checks} checks passed")
    print(f"ok  connection test: verified, {checks} checks passed, no session cookie\n")

    print(f"=== sign in through SimpleSAMLphp in Chromium ({'instance B' if second else 'the choice page'})")
    helpers["clear"](driver, login_base)
    # another instance sees the addition once its copy of the directory is no older than its maximum
    # age (2 s): until then / still goes straight to the only IdP it knows
    added_at = time.monotonic()
    while True:
        driver.get(login_base + "/")
        if driver.find_elements(By.ID, "identity-providers"):
            break
        check(time.monotonic() - added_at < 6, f"6 s after the addition / still went to {driver.current_url}")
        helpers["clear"](driver, login_base)
        time.sleep(0.25)
    choices = wait_for(driver, By.ID, "identity-providers")
    names = choices.text
    check("SimpleSAMLphp (Debian)" in names and "Demo test IdP" in names, f"the choice page lists: {names!r}")
    choices.find_element(By.PARTIAL_LINK_TEXT, "SimpleSAMLphp").click()
    check(sign_in_at_simplesamlphp(driver, check, wait_for), "SimpleSAMLphp did not ask for a password")
    shown = helpers["wait_landing"](driver)
    check(shown["issuer"] == ssp.entity_id, f"signed in through {shown['issuer']!r}")
    check(driver.get_cookie(helpers["SESSION_COOKIE"]) is not None, "no session after the login")
    print(f"ok  signed in through SimpleSAMLphp as {shown['email'] or shown['name-id']} (issuer {shown['issuer']})\n")

    print("=== a key rollover starts: next keys, published in this IdP's SP metadata before they are used")
    _, rolled = api.call("PUT", ADMIN_PATH + "/" + SSP_ID, {"name": "SimpleSAMLphp (Debian)", "metadata_url": ssp.metadata_url,
                                                            "generate_sp_keys": True}, expect=200)
    states = sorted(f"{key['use']}/{key['state']}" for key in rolled["sp_keys"])
    check(states == ["encryption/active", "encryption/next", "signing/active", "signing/next"], f"keys after the rollover start: {states}")
    published = fetch(added["sp_metadata_url"]).decode().count("<md:KeyDescriptor")
    check(published == 4, f"the SP metadata publishes {published} certificates, not 4")
    print(f"ok  GET {urllib.parse.urlsplit(added['sp_metadata_url']).path} now publishes {published} certificates (active and next, signing and encryption)\n")

    print("=== the admin API removes it")
    api.call("DELETE", ADMIN_PATH + "/" + SSP_ID, expect=200)
    api.call("GET", ADMIN_PATH + "/" + SSP_ID, expect=404)
    # the session of the removed IdP ends at its next request: / asks for a login again (on another
    # instance, once its copy of the directory is no older than its maximum age)
    removed = time.monotonic()
    while True:
        driver.get(login_base + "/")
        if driver.find_elements(By.CSS_SELECTOR, "ul.users button") and "/idp/sso" in driver.current_url:
            break
        check(time.monotonic() - removed < 6, f"6 s after the removal / still went to {driver.current_url}")
        time.sleep(0.25)
    print(f"ok  the SimpleSAMLphp session is refused at its next request, {time.monotonic() - removed:.1f} s after the removal"
          f"{' (on instance B)' if second else ''}: / asks for a login, at the one IdP left, the test IdP")
    driver.get(login_base + "/saml/login?idp=" + SSP_ID)
    code, reason, _ = helpers["wait_error_page"](driver)
    check(code == "entityNotFound", f"a removed IdP's login: {code}")
    print(f"ok  its login is refused: {code}: {reason}\n")
    _, listed = api.call("GET", ADMIN_PATH, expect=200)
    check([idp["id"] for idp in listed["identity_providers"]] == before, "the directory is not as before")


class _MisbehavingMetadataServer(http.server.BaseHTTPRequestHandler):
    """Metadata URLs that must be refused: a redirect to https (another scheme), a redirect to http off
    loopback, a redirect loop, a body over the demo's 100 MiB bound (streamed, no Content-Length), a
    Content-Length over it, a 404."""

    def log_message(self, *args):
        pass

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        if self.path == "/to-https":
            self.redirect("https://127.0.0.1:9/metadata.xml")
        elif self.path == "/to-remote-http":
            self.redirect("http://example.com/metadata.xml")
        elif self.path.startswith("/loop"):
            self.redirect("/loop" + str(len(self.path)))
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.end_headers()
            chunk = b"<!-- " + b"x" * (1 << 20) + b" -->"
            try:
                for _ in range(101):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the fetcher stopped reading: the bound held
        elif self.path == "/huge-length":
            self.send_response(200)
            self.send_header("Content-Length", str(200 << 20))
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


def metadata_fetch_rules(base, token, check):
    """The demo's metadata fetcher (URLSession under the library fetcher's rules) refuses what the
    library's refuses, naming metadata_url, quickly, and the server keeps serving."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MisbehavingMetadataServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    api = AdminAPI(base, token, transcript=False)
    cases = [("/to-https", "another scheme"), ("/to-remote-http", "only https"), ("/loop", "more than 3 times"),
             ("/huge", "exceeds the limit of 104857600 bytes"), ("/huge-length", "the limit is 104857600 bytes"),
             ("/missing", "HTTP 404")]
    try:
        for path, expected in cases:
            started = time.monotonic()
            status, answer = api.call("POST", "/admin/identity-providers", {"name": "refused", "metadata_url": origin + path})
            error = answer.get("error", {})
            check(status == 422 and error.get("field") == "metadata_url" and expected in error.get("reason", ""),
                  f"metadata_url {path}: {status} {answer}")
            check(time.monotonic() - started < 15, f"metadata_url {path} took {time.monotonic() - started:.1f} s")
        status, answer = api.call("GET", "/admin/identity-providers", expect=200)
        check(all(entry["name"] != "refused" for entry in answer["identity_providers"]), "a refused metadata URL was added")
    finally:
        server.shutdown()
    print(f"ok  metadata URLs refused, each naming metadata_url: {', '.join(path for path, _ in cases)}")


def admin_page(driver, base, token, helpers):
    """The demo's admin page over the same API: the token, the list, add by JSON, Test, Remove."""
    check, wait_for, text = helpers["check"], helpers["wait_for"], helpers["text"]
    helpers["clear"](driver, base)
    driver.get(base + "/admin")
    wait_for(driver, By.ID, "token").send_keys(token)
    driver.find_element(By.ID, "use-token").click()
    helpers["waiting"](driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#identity-providers tr[data-id=demo]"))
    row = driver.find_element(By.CSS_SELECTOR, "#identity-providers tr[data-id=demo]")
    check(row.find_element(By.CLASS_NAME, "certificate-expiry").text.strip()[:2] == "20", "no certificate expiry shown")
    # add a copy of the test IdP from the configuration JSON an admin dashboard keeps
    metadata = fetch(base + "/idp/metadata").decode()
    certificate = metadata.split("X509Certificate>")[1].split("<")[0]
    configuration = {"type": "saml", "config": {"issuer_url": base + "/idp/copy", "sso_target_url": base + "/idp/sso",
                                                "idp_public_certs": [certificate], "sign_request": True}}
    driver.find_element(By.ID, "add-name").send_keys("Pasted JSON")
    driver.find_element(By.ID, "source-json").click()
    driver.find_element(By.ID, "add-json").send_keys(json.dumps(configuration))
    driver.find_element(By.ID, "add").click()
    helpers["waiting"](driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#identity-providers tr[data-id=pasted-json]"))
    check("Added pasted-json" in text(driver, "status"), f"status: {text(driver, 'status')!r}")
    # a certificate that does not parse: the field is named on the page
    driver.find_element(By.ID, "add-json").clear()
    configuration["config"]["idp_public_certs"] = ["not a certificate"]
    configuration["config"]["issuer_url"] = base + "/idp/other"
    driver.find_element(By.ID, "add-json").send_keys(json.dumps(configuration))
    driver.find_element(By.ID, "add").click()
    helpers["waiting"](driver).until(lambda d: "config.idp_public_certs[0]" in d.find_element(By.ID, "status").text)
    # Remove (confirmed)
    row = driver.find_element(By.CSS_SELECTOR, "#identity-providers tr[data-id=pasted-json]")
    row.find_element(By.CLASS_NAME, "remove").click()
    driver.switch_to.alert.accept()
    helpers["waiting"](driver).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#identity-providers tr[data-id=pasted-json]"))
    # Test: the demo IdP's round trip, from the page's button
    driver.find_element(By.CSS_SELECTOR, "#identity-providers tr[data-id=demo] .test").click()
    wait_for(driver, By.CSS_SELECTOR, "ul.users button")
    driver.find_elements(By.CSS_SELECTOR, "ul.users button")[0].click()
    wait_for(driver, By.ID, "result")
    check("No session was created" in text(driver, "result"), "the page's Test did not end on the report")
    check(driver.get_cookie(helpers["SESSION_COOKIE"]) is None, "the page's Test created a session")
    print("ok  admin page: list with certificate expiry, add by JSON, a bad certificate named, remove, Test")
