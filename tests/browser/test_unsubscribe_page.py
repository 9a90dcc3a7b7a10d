"""The unsubscribe page in a real headless Chromium: what a member of the public sees and does.

Skips, saying why, when Chromium, its driver or selenium is missing. Screenshots go to
``test-artifacts/`` at the repository root (git-ignored) so a person can look at the page.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.store import suppressions
from bot.unsubscribe import make_token
from bot.web.server import RunningServer
from tests.web_fixtures import SECRET

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed "
                                "(pip install '.[dev]')")
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
JO = "jo@example.org"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() or shutil.which("chromium")) or not CHROMEDRIVER.exists(),
    reason=f"needs Chromium at {CHROMIUM} and its driver at {CHROMEDRIVER} "
           "(Debian: apt-get install chromium chromium-driver)")


def _browser(tmp: Path, *, javascript: bool = True) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp}",
                 "--window-size=1024,768"):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    driver = _browser(tmp_path / "profile")
    yield driver
    driver.quit()


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(v) for v in re.findall(r"[\d.]+", css)[:3])


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two computed CSS colours."""
    def luminance(colour: tuple[float, ...]) -> float:
        def channel(v: float) -> float:
            v /= 255
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
        r, g, b = (channel(v) for v in colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    lighter, darker = sorted((luminance(_rgb(foreground)), luminance(_rgb(background))),
                             reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _style(driver: webdriver.Chrome, element: object, prop: str) -> str:
    return driver.execute_script(
        "return getComputedStyle(arguments[0]).getPropertyValue(arguments[1]);", element, prop)


def _is_suppressed(sqlite_rt: Runtime) -> bool:
    with sqlite_rt.store.sessions() as session:
        return suppressions.is_suppressed(session, JO)


def test_a_person_unsubscribes_with_the_keyboard(browser: webdriver.Chrome,
                                                 server: RunningServer,
                                                 http_sqlite_runtime: Runtime) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    browser.get(f"{server.url}/unsubscribe/{make_token(JO, SECRET)}")
    assert browser.title == "Unsubscribe – CA Plus"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    (heading,) = browser.find_elements(By.TAG_NAME, "h1")
    assert heading.text == "Unsubscribe from CA Plus email"
    assert "j***@example.org" in browser.find_element(By.TAG_NAME, "main").text
    button = browser.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]")
    assert button.is_displayed() and button.text == "Unsubscribe"
    # The stylesheet loaded (CSP allows it) and text and button are well above WCAG AA.
    assert _rgb(_style(browser, button, "background-color")) == (29.0, 79.0, 145.0)
    body = browser.find_element(By.TAG_NAME, "body")
    assert contrast(_style(browser, body, "color"), _style(browser, body, "background-color")) >= 7
    assert contrast(_style(browser, button, "color"),
                    _style(browser, button, "background-color")) >= 7
    assert not _is_suppressed(http_sqlite_runtime)  # opening the page changed nothing

    # 1. Tab to the button: it is the first thing in the tab order, and focus is visible.
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == button
    focused = _style(browser, button, "background-color")
    assert _rgb(focused) == (255.0, 221.0, 0.0)
    assert contrast(_style(browser, button, "color"), focused) >= 7
    browser.save_screenshot(str(ARTIFACTS / "unsubscribe-page.png"))

    # 2. Enter presses it; the confirmation states the outcome.
    button.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(expected_conditions.title_contains("unsubscribed"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "You have been unsubscribed"
    assert ("You have been unsubscribed. We will not send marketing email to j***@example.org "
            "again.") in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(ARTIFACTS / "unsubscribe-done.png"))
    assert _is_suppressed(http_sqlite_runtime)

    # 3. No request was blocked by the Content-Security-Policy, nothing else went wrong.
    problems = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == []


def test_the_page_reflows_at_200_percent_zoom(browser: webdriver.Chrome,
                                              server: RunningServer) -> None:
    # 200% zoom on a 1280-pixel screen lays out like a 640-pixel-wide window.
    browser.set_window_size(640, 800)
    token = make_token("jane.doe+newsletters@example.org", SECRET)
    browser.get(f"{server.url}/unsubscribe/{token}")
    width = browser.execute_script("return document.documentElement.clientWidth;")
    scroll = browser.execute_script("return document.documentElement.scrollWidth;")
    assert scroll <= width  # no sideways scrolling
    button = browser.find_element(By.TAG_NAME, "button")
    assert button.rect["x"] + button.rect["width"] <= width
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "unsubscribe-page-narrow.png"))


def test_it_works_with_javascript_switched_off(tmp_path: Path, server: RunningServer,
                                               http_sqlite_runtime: Runtime) -> None:
    driver = _browser(tmp_path / "profile", javascript=False)
    try:
        driver.get(f"{server.url}/unsubscribe/{make_token(JO, SECRET)}")
        driver.find_element(By.TAG_NAME, "button").click()
        WebDriverWait(driver, 10).until(expected_conditions.title_contains("unsubscribed"))
    finally:
        driver.quit()
    assert _is_suppressed(http_sqlite_runtime)


def test_a_tampered_link_shows_where_to_write(browser: webdriver.Chrome,
                                              server: RunningServer,
                                              http_sqlite_runtime: Runtime) -> None:
    token = make_token(JO, SECRET)
    browser.get(f"{server.url}/unsubscribe/{token[:-2]}AA")
    assert browser.find_element(By.TAG_NAME, "h1").text == "This link is not valid"
    assert "support@caplus.org.uk" in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_elements(By.TAG_NAME, "form") == []
    assert not _is_suppressed(http_sqlite_runtime)
