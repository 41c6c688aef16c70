"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against a live server.

No browser is downloaded: Playwright drives /usr/bin/chromium (`apt-get install chromium`).
A missing browser fails the run with a message that says how to install it; it never
skips, so a CI run cannot pass without the browser tests having run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API runs an asyncio event loop in this thread (in a greenlet) from the
# moment it starts until it stops, so asyncio reports a running loop here even while plain
# test code runs. Django takes that for an async context and refuses ORM calls (the test's
# own factories, the flush after a transactional test) with SynchronousOnlyOperation. The
# code is synchronous and the loop never runs Django code, so the check is a false alarm:
# this switches it off for the process (the browser is session-scoped, so the loop stays
# "running" for the tests collected after these, too).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a cold start on a loaded CI machine, short enough that a hang is noticed.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (launch() gives it its own temporary profile)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}"
            + (f" (there is one at {found}: set CHROMIUM_PATH)" if found else "")
            + ". The browser tests need it: apt-get install -y --no-install-recommends chromium",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="module")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, over plain HTTP.

    The suite runs with the production settings, whose SECURE_SSL_REDIRECT would send the
    browser to an https:// address the test server cannot answer. The `settings` fixture is
    too late for it: SecurityMiddleware reads the setting once, when the server thread
    builds its handler. So the settings change here, before the server starts, and only for
    this module's tests (the rest of the suite keeps the production values).
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False):
        server = LiveServer(addr)
        yield server
        server.stop()


class Console:
    """What the browser reports while a test runs: console errors (CSP violations and failed
    loads among them) and uncaught JavaScript exceptions."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self._checked = 0

    def on_console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error at {message.location.get('url', '?')}: {message.text}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"uncaught JavaScript error: {error}")

    def unchecked(self) -> list[str]:
        new = self.problems[self._checked :]
        self._checked = len(self.problems)
        return new

    def assert_clean(self) -> None:
        new = self.unchecked()
        assert not new, "The browser reported problems:\n" + "\n".join(new)


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser, console: Console):
    """A fresh browser context and page for each test, watched by `console`.

    A test ends with `console.assert_clean()`; anything reported after that (or in a test
    that failed before it) still fails the test at teardown.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    yield page
    context.close()
    left = console.unchecked()
    if left:
        pytest.fail("The browser reported problems:\n" + "\n".join(left), pytrace=False)
