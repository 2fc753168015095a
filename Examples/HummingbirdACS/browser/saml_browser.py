#!/usr/bin/env python3
"""Drives the login demo in a real headless Chromium (Selenium).

    saml_browser.py demo BASE_URL [--screenshot PNG]   log in as the first user, print the landing page, sign out
    saml_browser.py test BASE_URL                      the browser tests: login and single logout, refusals, returnTo,
                                                       test connection

Exits non-zero on any failure, including a missing browser or driver.
"""
import argparse
import json
import os
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

SESSION_COOKIE = "saml_session"
STATE_COOKIE = "saml_login_state"
LOGOUT_STATE_COOKIE = "saml_logout_state"
TIMEOUT = 30


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,700"):
        options.add_argument(flag)
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


def demo(base, screenshot):
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


def test_connection(driver, base):
    metadata = urllib.request.urlopen(base + "/idp/metadata", timeout=TIMEOUT).read()
    start_fresh(driver, base, "/test-connection")
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as file:
        file.write(metadata)
    try:
        wait_for(driver, By.ID, "metadata_file").send_keys(file.name)
        driver.find_element(By.ID, "read").click()
        entity = wait_for(driver, By.ID, "entity-id").text.strip()
    finally:
        os.unlink(file.name)
    check(entity == base + "/idp/metadata", f"entity ID read: {entity!r}")
    check(text(driver, "wants-signed") == "yes", "wants-signed-requests not shown")
    check(driver.find_elements(By.CSS_SELECTOR, "#certificates .expiry"), "no certificate expiry shown")
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


def test(base):
    driver = browser()
    try:
        test_login(driver, base)
        test_refusals(driver, base)
        test_return_to(driver, base)
        test_connection(driver, base)
    finally:
        driver.quit()
    print("browser tests passed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["demo", "test"])
    parser.add_argument("base")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    try:
        if args.command == "demo":
            demo(base, args.screenshot)
        else:
            test(base)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
