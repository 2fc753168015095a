#!/usr/bin/env python3
"""Drives the login demo in a real headless Chromium (Selenium).

    saml_browser.py demo BASE_URL [--screenshot PNG]   log in as the first user, print the landing page, sign out
    saml_browser.py test BASE_URL                      the browser tests: login and single logout, refusals, returnTo,
                                                       test connection
      with --admin-token T --simplesamlphp-control SCRIPT (and the SSP_* variables of `SCRIPT start`):
                                                       the admin API adds the running SimpleSAMLphp IdP from its
                                                       metadata URL, tests it, signs in through it, removes it and
                                                       sees its login refused (printed as a transcript); test also
                                                       drives the admin page and has metadata URLs that break the
                                                       fetcher's rules refused
    saml_browser.py instances BASE_A BASE_B --postgres-url URL --postgres-control SCRIPT
                                                       two servers sharing one PostgreSQL store (both with
                                                       --base-url BASE_A and one --session-secret): a login
                                                       started on B finishes on A, replays to A and B, another
                                                       browser, the database stopped and restarted; with
                                                       --admin-token and SimpleSAMLphp, an IdP added on A
                                                       signs in on B

Exits non-zero on any failure, including a missing browser or driver.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import admin_flow

SESSION_COOKIE = "saml_session"
STATE_COOKIE = "saml_login_state"
LOGOUT_STATE_COOKIE = "saml_logout_state"
TIMEOUT = 30


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def browser(network_log=False):
    """A new headless Chromium with a fresh profile (no cookies). With network_log, the DevTools
    network events are kept, so a test can read what the browser sent (see sent_requests)."""
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,700"):
        options.add_argument(flag)
    if network_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def waiting(driver):
    # pages change under the driver while forms post themselves: look again rather than fail
    # (Chromium also reports a node of the previous page as "does not belong to the document");
    # a condition that never holds still fails with a timeout
    return WebDriverWait(driver, TIMEOUT, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException,
                                                             WebDriverException))


def wait_for(driver, by, value):
    return waiting(driver).until(EC.presence_of_element_located((by, value)))


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text.strip()


def pick_user(driver, variant=None, index=0):
    """On the test IdP's picker: choose a response variant, then press the index-th user."""
    wait_for(driver, By.CSS_SELECTOR, "ul.users button")
    check("/idp/sso" in driver.current_url, f"expected the test IdP's user picker, got {driver.current_url}")
    if variant is not None:
        Select(driver.find_element(By.ID, "variant")).select_by_value(variant)
    buttons = driver.find_elements(By.CSS_SELECTOR, "ul.users button")
    label = buttons[index].text
    buttons[index].click()
    return label


def wait_landing(driver):
    wait_for(driver, By.ID, "email")
    return {key: text(driver, key) for key in ("email", "display-name", "given-name", "surname", "name-id", "issuer", "path")}


def wait_error_page(driver):
    waiting(driver).until(lambda d: d.find_element(By.TAG_NAME, "h1").text.strip() == "Sign-in failed")
    return text(driver, "error-code"), text(driver, "error-reason"), text(driver, "correlation-id")


def landing_path(driver, base):
    return urllib.parse.urlsplit(driver.current_url).path


def sign_out(driver, base):
    """Presses "Sign out" on the landing page: single logout through the test IdP's /idp/slo, back
    at /saml/slo, landing on the signed-out page with no session left in the browser."""
    driver.find_element(By.ID, "logout").click()
    wait_for(driver, By.ID, "signed-out")
    check(landing_path(driver, base) == "/signed-out", f"sign-out landed on {driver.current_url}")
    check(driver.get_cookie(SESSION_COOKIE) is None, "the session cookie survived sign-out")
    check(driver.get_cookie(LOGOUT_STATE_COOKIE) is None, "the logout state cookie was not cleared")
    check("still carries a session" not in driver.find_element(By.TAG_NAME, "body").text, "the signed-out page sees a session")
    # the protected area asks for a login again
    driver.get(base + "/")
    wait_for(driver, By.CSS_SELECTOR, "ul.users button")
    check("/idp/sso" in driver.current_url, f"/ after sign-out went to {driver.current_url}")


def start_fresh(driver, base, path="/"):
    driver.delete_all_cookies()
    driver.get(base + path)


def helpers():
    """What the admin flow borrows from this file."""
    return {"check": check, "wait_for": wait_for, "waiting": waiting, "text": text, "wait_landing": wait_landing,
            "wait_error_page": wait_error_page, "SESSION_COOKIE": SESSION_COOKIE,
            "clear": lambda driver, base: clear_cookies(driver)}


def admin_round_trip(driver, base, admin, second=None):
    """The SimpleSAMLphp round trip of the admin API, when the run was given a token and SimpleSAMLphp."""
    if admin is None:
        return
    token, control = admin
    started = time.monotonic()
    api = admin_flow.AdminAPI(base, token, label="instance A" if second else "")
    admin_flow.simplesamlphp_round_trip(driver, base, api, admin_flow.SimpleSAMLphp(control), helpers(), second=second)
    print(f"ok  SimpleSAMLphp added, tested, signed in through, removed and refused in {time.monotonic() - started:.1f} s")


def demo(base, screenshot, admin=None):
    driver = browser()
    try:
        start = time.monotonic()
        driver.get(base + "/")
        chosen = pick_user(driver)
        shown = wait_landing(driver)
        elapsed = time.monotonic() - start
        print(f"Opened {base}/, was sent to the test IdP's user picker and chose: {chosen}")
        print(f"Landed on {driver.current_url} after {elapsed:.1f} s; the page shows:\n")
        print(driver.find_element(By.TAG_NAME, "body").text)
        print()
        check(driver.get_cookie(SESSION_COOKIE) is not None, "no session cookie after the login")
        check(shown["email"] == "alice@example.com", f"unexpected e-mail {shown['email']!r}")
        if screenshot:
            driver.save_screenshot(screenshot)
            print(f"Screenshot: {screenshot} ({os.path.getsize(screenshot)} bytes)")
        sign_out(driver, base)
        print("Signed out through the test IdP's single logout: landed on /signed-out with no session cookie;")
        print("opening / again asks for a login.")
        print()
        admin_round_trip(driver, base, admin)
    finally:
        driver.quit()


def test_login(driver, base):
    start_fresh(driver, base, "/")
    pick_user(driver)
    shown = wait_landing(driver)
    check(shown["email"] == "alice@example.com", f"e-mail {shown['email']!r}")
    check(shown["given-name"] == "Alice", f"given name {shown['given-name']!r}")
    check(shown["surname"] == "Example", f"surname {shown['surname']!r}")
    check(shown["display-name"] == "Alice Example", f"name {shown['display-name']!r}")
    check(shown["name-id"] == "alice@example.com", f"NameID {shown['name-id']!r}")
    check(shown["issuer"] == base + "/idp/metadata", f"issuer {shown['issuer']!r}")
    check(landing_path(driver, base) == "/", f"landed on {driver.current_url}")
    attributes = driver.find_element(By.ID, "attributes").text
    check("https://aws.amazon.com/SAML/Attributes/Role" in attributes, "the AWS role attribute is not shown")
    session = driver.get_cookie(SESSION_COOKIE)
    check(session is not None and session.get("httpOnly"), f"session cookie {session!r}")
    check(driver.get_cookie(STATE_COOKIE) is None, "the login state cookie was not cleared")
    # signing out goes through the IdP's single logout and lands signed out; / then asks for a login again
    sign_out(driver, base)
    print("ok  login as the first user: alice@example.com, Alice, Example, Alice Example; single logout through the IdP")


def test_refusals(driver, base):
    start_fresh(driver, base, "/")
    pick_user(driver, variant="tamperedAfterSigning")
    code, reason, correlation = wait_error_page(driver)
    check(code == "signatureInvalid", f"tampered response refused with {code}: {reason}")
    check(correlation, "no correlation ID on the error page")
    check(driver.get_cookie(SESSION_COOKIE) is None, "a session cookie after a tampered response")
    print(f"ok  tampered response: error page ({code}), no session cookie")

    # a valid login first, so the IdP has a response to replay; then a new login gets that response again
    start_fresh(driver, base, "/")
    pick_user(driver)
    wait_landing(driver)
    start_fresh(driver, base, "/")
    pick_user(driver, variant="replay")
    code, reason, _ = wait_error_page(driver)
    check(code in ("inResponseToMismatch", "replayed"), f"replayed response refused with {code}: {reason}")
    check(driver.get_cookie(SESSION_COOKIE) is None, "a session cookie after a replayed response")
    print(f"ok  replayed response: error page ({code}), no session cookie")


def test_return_to(driver, base):
    start_fresh(driver, base, "/login?returnTo=" + urllib.parse.quote("/some/path", safe=""))
    pick_user(driver)
    shown = wait_landing(driver)
    check(landing_path(driver, base) == "/some/path" and shown["path"] == "/some/path", f"landed on {driver.current_url}")
    print("ok  returnTo=/some/path lands on /some/path")
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        start_fresh(driver, base, "/login?returnTo=" + urllib.parse.quote(target, safe=""))
        pick_user(driver)
        wait_landing(driver)
        check(driver.current_url == base + "/", f"returnTo={target} landed on {driver.current_url}")
        print(f"ok  returnTo={target} lands on /")


def upload_for_test(driver, base, metadata, sign=True):
    """Uploads `metadata` as a file on a fresh Test-connection page, with "Sign AuthnRequests" as given,
    and waits for what was read."""
    start_fresh(driver, base, "/test-connection")
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as file:
        file.write(metadata)
    try:
        wait_for(driver, By.ID, "metadata_file").send_keys(file.name)
        if not sign:
            driver.find_element(By.ID, "sign").click()
        driver.find_element(By.ID, "read").click()
        wait_for(driver, By.ID, "entity-id")
    finally:
        os.unlink(file.name)


def test_connection(driver, base):
    metadata = urllib.request.urlopen(base + "/idp/metadata", timeout=TIMEOUT).read()
    upload_for_test(driver, base, metadata)
    entity = text(driver, "entity-id")
    check(entity == base + "/idp/metadata", f"entity ID read: {entity!r}")
    check(text(driver, "wants-signed") == "yes", "wants-signed-requests not shown")
    check(driver.find_elements(By.CSS_SELECTOR, "#certificates .expiry"), "no certificate expiry shown")
    found = findings(driver)
    check(found.get("idp.wantsSignedRequests") == ("ok", ""), f"signed requests finding: {found.get('idp.wantsSignedRequests')}")
    check(found.get("idp.certificate.signing", ("",))[0] == "ok", f"IdP certificate finding: {found.get('idp.certificate.signing')}")
    check(found.get("sp.acs.https", ("",))[0] == "warning", f"plain-http ACS finding: {found.get('sp.acs.https')}")
    driver.find_element(By.ID, "run-login").click()
    pick_user(driver)
    wait_for(driver, By.ID, "result")
    check("No session was created" in text(driver, "result"), "the result does not say no session was created")
    check(text(driver, "email") == "alice@example.com", "the verified identity is not shown")
    check(driver.get_cookie(SESSION_COOKIE) is None, "the connection test created a session")
    trace = driver.find_elements(By.CSS_SELECTOR, "#trace tr")
    check(len(trace) >= 5 and not driver.find_elements(By.CSS_SELECTOR, "#trace tr.failed"), f"trace: {len(trace)} steps")
    check("audience" in driver.find_element(By.ID, "trace").text, "the trace does not show the audience check")
    print(f"ok  test connection: metadata upload read, test login verified with a {len(trace)}-step trace, no session")

    # a real misconfiguration: the IdP wants signed AuthnRequests (WantAuthnRequestsSigned), the SP
    # would send them unsigned; the page shows the library's finding (Configuration.diagnose(now:))
    upload_for_test(driver, base, metadata, sign=False)
    found = findings(driver)
    severity, fix = found.get("idp.wantsSignedRequests", ("missing", ""))
    check(severity == "error", f"unsigned requests to an IdP that wants them signed: finding {severity!r}")
    check("Configuration.signingKey" in fix, f"the finding's fix does not name the setting: {fix!r}")
    summary = text(driver, "findings-summary")
    check("problem" in summary and not summary.startswith("No problems"), f"findings summary: {summary!r}")
    print("ok  test connection: unsigned requests to an IdP that wants them signed shown as error idp.wantsSignedRequests, with its fix")

    # the JSON an admin dashboard keeps, pasted
    certificate = metadata.decode().split("X509Certificate>")[1].split("<")[0]
    configuration = json.dumps({"type": "saml", "config": {
        "issuer_url": base + "/idp/metadata", "sso_target_url": base + "/idp/sso",
        "idp_public_certs": [certificate], "email_attribute_name": "email", "sign_request": True,
        "attributes": {"name": "name"}}})
    start_fresh(driver, base, "/test-connection")
    wait_for(driver, By.ID, "metadata").send_keys(configuration)
    driver.find_element(By.ID, "read").click()
    entity = wait_for(driver, By.ID, "entity-id").text.strip()
    check(entity == base + "/idp/metadata", f"entity ID read from JSON: {entity!r}")
    check(text(driver, "wants-signed") == "yes", "sign_request not shown")
    print("ok  test connection: dashboard JSON read")

    start_fresh(driver, base, "/test-connection")
    wait_for(driver, By.ID, "metadata").send_keys("<md:EntityDescriptor this is not metadata")
    driver.find_element(By.ID, "read").click()
    error = wait_for(driver, By.ID, "read-error").text
    check("could not be read" in error, f"bad metadata error: {error!r}")
    print("ok  test connection: bad metadata gets a readable error")


def findings(driver):
    """The Test-connection page's configuration findings: {check code: (severity, fix)}, the worst per code."""
    rows = {}
    rank = {"ok": 0, "info": 1, "warning": 2, "error": 3}
    for row in driver.find_elements(By.CSS_SELECTOR, "#findings tr.finding"):
        code = row.find_element(By.CSS_SELECTOR, ".check").text.strip()
        severity = row.find_element(By.CSS_SELECTOR, ".severity").text.strip()
        fix = row.find_element(By.CSS_SELECTOR, ".fix").text.strip()
        if code not in rows or rank.get(severity, -1) > rank.get(rows[code][0], -1):
            rows[code] = (severity, fix)
    check(rows, "the page shows no configuration findings")
    return rows


# --- several instances on one PostgreSQL store -------------------------------------------------

def sent_requests(driver):
    """The requests the browser sent since the last call, as (method, url, form fields), from the
    DevTools network log."""
    sent = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        body = request.get("postData")
        if body is None and request.get("hasPostData"):
            body = driver.execute_cdp_cmd("Network.getRequestPostData", {"requestId": message["params"]["requestId"]})["postData"]
        fields = {key: values[0] for key, values in urllib.parse.parse_qs(body or "", keep_blank_values=True).items()}
        sent.append((request["method"], request["url"], fields))
    return sent


def clear_cookies(driver):
    """Deletes every cookie of the browser, whatever its path (WebDriver's own call only reaches
    those the current page sees)."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})


def open_clean(driver, base, path="/"):
    clear_cookies(driver)
    driver.get(base + path)


def browser_cookie(driver, name):
    """A cookie of this browser whatever its path (the login state cookie lives under /saml)."""
    for cookie in driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]:
        if cookie["name"] == name:
            return {"name": cookie["name"], "value": cookie["value"], "path": cookie["path"],
                    "httpOnly": cookie["httpOnly"], "sameSite": cookie.get("sameSite", "Lax")}
    return None


def post_form(driver, origin, path, fields, cookies=()):
    """Has the browser POST `fields` as a form to origin+path, as a page of that origin would, with
    its own cookies plus `cookies` (re-set first, as someone holding them would). Starts from
    /saml/autosubmit.js, a page of the origin without a form-action policy."""
    driver.get(origin + "/saml/autosubmit.js")
    for cookie in cookies:
        driver.add_cookie(cookie)
    driver.execute_script("""
        const [action, fields] = arguments;
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value;
            form.appendChild(input);
        }
        document.body.appendChild(form);
        form.submit();
        """, origin + path, fields)


def response_held_back(driver):
    """On the test IdP's user picker: picks the first user with page scripts off, so the IdP's page
    holding the response does not post itself; returns its form fields, scripts back on."""
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        pick_user(driver)
        wait_for(driver, By.ID, "continue")
        fields = {field.get_attribute("name"): field.get_attribute("value")
                  for field in driver.find_elements(By.CSS_SELECTOR, "form input[type=hidden]")}
        action = driver.find_element(By.TAG_NAME, "form").get_attribute("action")
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    check(fields.get("SAMLResponse") and fields.get("RelayState"), f"the IdP's page holds no response: {sorted(fields)}")
    return action, fields


def landed(driver, what):
    """Waits for the landing page, failing at once with the code when the sign-in failed instead."""
    waiting(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#email, #error-code"))
    if driver.find_elements(By.ID, "error-code"):
        raise Failure(f"{what}: refused with {text(driver, 'error-code')} ({text(driver, 'error-reason')})")
    return wait_landing(driver)


def check_refused(driver, codes, what):
    code, reason, _ = wait_error_page(driver)
    check(code in codes, f"{what}: refused with {code} ({reason}), expected {' or '.join(codes)}")
    check(driver.get_cookie(SESSION_COOKIE) is None, f"{what}: a session cookie was set")
    return code, reason


def check_signed_out(driver, base, what):
    """Opening / asks for a login: there is no session in this browser."""
    driver.get(base + "/")
    wait_for(driver, By.CSS_SELECTOR, "ul.users button")
    check("/idp/sso" in driver.current_url, f"{what}: / went to {driver.current_url}")


class Store:
    """The PostgreSQL server both instances use: stopped and started through scripts/postgres.sh,
    counted through psql."""

    def __init__(self, url, control):
        self.url, self.control = url, control

    def run(self, command):
        subprocess.run([self.control, command], check=True)

    def count(self, table):
        out = subprocess.run(["psql", self.url, "-At", "-c", f"SELECT count(*) FROM {table}"],
                             check=True, capture_output=True, text=True).stdout
        return int(out.strip())


def test_cross_instance(driver, a, b, store):
    """A login started on B, answered by the IdP to A's ACS (the ACS URL both instances publish),
    finishes on A; the session is good on both. Returns what the browser posted to the ACS."""
    assertions = store.count("saml_assertions")
    driver.get_log("performance")  # start the network log here
    open_clean(driver, b, "/")
    wait_for(driver, By.CSS_SELECTOR, "ul.users button")
    state = browser_cookie(driver, STATE_COOKIE)
    check(state is not None and state["path"] == "/saml", f"no login state cookie from B: {state!r}")
    pick_user(driver)
    shown = landed(driver, "the login started on B, at A's ACS")
    check(shown["email"] == "alice@example.com", f"e-mail {shown['email']!r}")
    check(driver.current_url == a + "/", f"landed on {driver.current_url}, not on A")
    sent = sent_requests(driver)
    started = [url for method, url, _ in sent if method == "GET" and url.startswith(b + "/saml/login")]
    posts = [fields for method, url, fields in sent if method == "POST" and url == a + "/saml/acs"]
    check(started, f"the login was not started on B: {[url for _, url, _ in sent]}")
    check(len(posts) == 1 and posts[0].get("SAMLResponse"), f"the IdP posted {len(posts)} responses to A's ACS")
    check(store.count("saml_assertions") == assertions + 1, "the accepted assertion is not recorded in PostgreSQL")
    driver.get(b + "/")
    check(wait_landing(driver)["email"] == "alice@example.com", "B does not see the session A created")
    print("ok  login started on B (/saml/login), IdP's POST to A's ACS, session on A and on B; assertion recorded in PostgreSQL")
    return posts[0], state


def test_replays_across_instances(driver, a, b, captured, state, store):
    """The response posted again, with the login state cookie it came with, to A and to B."""
    assertions = store.count("saml_assertions")
    for name, origin in (("A", a), ("B", b)):
        clear_cookies(driver)
        post_form(driver, origin, "/saml/acs", captured, cookies=[state])
        code, _ = check_refused(driver, ("inResponseToMismatch", "replayed"), f"replay to {name}")
        check_signed_out(driver, origin, f"replay to {name}")
        print(f"ok  the same response and login state posted again to {name}: refused ({code}), no session")
    check(store.count("saml_assertions") == assertions, "a replay changed the recorded assertions")


def test_other_browser(driver, a, b, store):
    """A response answering a login started on A, in one browser, cannot be used by another
    browser on B; the browser that started it can finish it on B."""
    open_clean(driver, a, "/")
    wait_for(driver, By.CSS_SELECTOR, "ul.users button")
    action, held = response_held_back(driver)
    check(action == a + "/saml/acs", f"the IdP answers to {action}")
    other = browser()
    try:
        post_form(other, b, "/saml/acs", held)
        code, _ = check_refused(other, ("unsolicitedResponse",), "another browser without a login on B")
        print(f"ok  a response to a login started on A, posted by another browser to B: refused ({code}), no session")
        # the other browser with a login of its own started on B
        other.get(b + "/")
        wait_for(other, By.CSS_SELECTOR, "ul.users button")
        post_form(other, b, "/saml/acs", held)
        code, _ = check_refused(other, ("inResponseToMismatch",), "another browser with its own login on B")
        check_signed_out(other, b, "another browser")
        print(f"ok  ... and by another browser that started its own login on B: refused ({code}), no session")
    finally:
        other.quit()
    # the browser that started the login finishes it on B (the response is still unused)
    post_form(driver, b, "/saml/acs", held)
    shown = landed(driver, "the login started on A, finished on B by its own browser")
    check(shown["email"] == "alice@example.com" and driver.current_url == b + "/", f"finishing on B landed on {driver.current_url}")
    print("ok  the browser that started the login on A finishes it on B")


def test_database_outage(driver, a, b, captured, state, store):
    """PostgreSQL stopped while both servers run: finishing a login is refused with
    stateStoreUnavailable, or directoryUnavailable once the servers' copy of the identity-provider directory
    (on the same database) is older than its maximum age; nothing is accepted; started again, logins
    succeed without restarting the servers."""
    outage = ("stateStoreUnavailable", "directoryUnavailable")
    assertions = store.count("saml_assertions")
    open_clean(driver, b, "/")  # the request is recorded while the database runs
    wait_for(driver, By.CSS_SELECTOR, "ul.users button")
    store.run("stop")
    try:
        pick_user(driver)
        code, _ = check_refused(driver, outage, "ACS on A with the database stopped")
        check(driver.find_element(By.ID, "correlation-id").text.strip(), "no correlation ID on the failure page")
        print(f"ok  database stopped: the IdP's valid response to A's ACS is refused ({code}), no session")
        for name, origin in (("A", a), ("B", b)):
            # a started login stores nothing on the server (its state is the sealed cookie); it needs
            # the directory, whose copy is used until its maximum age, then refused (fail closed)
            open_clean(driver, origin, "/")
            waiting(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "ul.users button, #error-code"))
            if driver.find_elements(By.ID, "error-code"):
                check(text(driver, "error-code") == "directoryUnavailable", f"starting a login on {name}: {text(driver, 'error-code')}")
        print("ok  database stopped: starting a login stores nothing; once the directory copy is too old it is refused (directoryUnavailable)")
        clear_cookies(driver)
        post_form(driver, a, "/saml/acs", captured, cookies=[state])
        code, _ = check_refused(driver, outage, "a replay with the database stopped")
        print(f"ok  database stopped: a replayed response is refused too ({code}), not let through unchecked")
    finally:
        store.run("start")
    check(store.count("saml_assertions") == assertions, "an assertion was recorded while the database was stopped")
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        open_clean(driver, b, "/")
        waiting(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "ul.users button, #error-code"))
        if not driver.find_elements(By.ID, "error-code"):
            pick_user(driver)
            waiting(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#email, #error-code"))
            if driver.find_elements(By.ID, "email"):
                break
        code = text(driver, "error-code")
        check(code in outage, f"after the restart a login was refused with {code}: {text(driver, 'error-reason')}")
        check(time.monotonic() - started < 90, f"no successful login within 90 s of the restart ({attempts} attempts)")
        time.sleep(1)
    check(wait_landing(driver)["email"] == "alice@example.com", "unexpected identity after the restart")
    check(store.count("saml_assertions") == assertions + 1, "the login after the restart is not recorded")
    print(f"ok  database started again: a login started on B finishes on A after {time.monotonic() - started:.1f} s "
          f"({attempts} attempt{'s' if attempts > 1 else ''}), servers not restarted")


def instances(a, b, store, admin=None):
    driver = browser(network_log=True)
    try:
        captured, state = test_cross_instance(driver, a, b, store)
        test_replays_across_instances(driver, a, b, captured, state, store)
        test_other_browser(driver, a, b, store)
        test_database_outage(driver, a, b, captured, state, store)
        admin_round_trip(driver, a, admin, second=b)
    finally:
        driver.quit()
    print("several-instance browser tests passed")


def test(base, admin=None):
    driver = browser()
    try:
        test_login(driver, base)
        test_refusals(driver, base)
        test_return_to(driver, base)
        test_connection(driver, base)
        if admin is not None:
            admin_flow.admin_page(driver, base, admin[0], helpers())
            admin_flow.metadata_fetch_rules(base, admin[0], check)
            admin_round_trip(driver, base, admin)
    finally:
        driver.quit()
    print("browser tests passed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["demo", "test", "instances"])
    parser.add_argument("base")
    parser.add_argument("second", nargs="?", help="instances: the second server's URL")
    parser.add_argument("--screenshot")
    parser.add_argument("--postgres-url", help="instances: the database both servers use")
    parser.add_argument("--postgres-control", help="instances: scripts/postgres.sh, to stop and start it")
    parser.add_argument("--admin-token", help="the servers' --admin-token: run the SimpleSAMLphp admin round trip")
    parser.add_argument("--simplesamlphp-control", help="scripts/simplesamlphp.sh of the running SimpleSAMLphp IdP")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    admin = None
    if args.admin_token:
        if not (args.simplesamlphp_control and os.environ.get("SSP_METADATA_URL")):
            parser.error("--admin-token needs --simplesamlphp-control and the SSP_* variables of a running SimpleSAMLphp")
        admin = (args.admin_token, args.simplesamlphp_control)
    try:
        if args.command == "demo":
            demo(base, args.screenshot, admin)
        elif args.command == "instances":
            if not (args.second and args.postgres_url and args.postgres_control):
                parser.error("instances needs BASE_A BASE_B --postgres-url URL --postgres-control SCRIPT")
            instances(base, args.second.rstrip("/"), Store(args.postgres_url, args.postgres_control), admin)
        else:
            test(base, admin)
    except (Failure, AssertionError) as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
