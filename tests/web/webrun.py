"""Driving the served web for the web tests: a real `bzr-workflow serve` process, a Guilin store
whose people have passwords and tokens set through the CLI, plain HTTP requests, and the fixtures
(one served store per module, Debian's Chromium) and page helpers that the test modules import."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from bzr_workflow.application import open_app, parse_location
from bzr_workflow.cli import cli
from guilin_org import make_org

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

BZR = str(Path(sys.executable).with_name("bzr-workflow"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CLEAN_ENV = {"BZR_WORKFLOW_DB": None, "BZR_WORKFLOW_ACTOR": None, "BZR_WORKFLOW_DEBUG": None}
PASSWORD = "guilin-2024-pass"
SHOTS = Path(os.environ.get("BZR_SCREENSHOTS", "/tmp/bzr-workflow-screenshots"))
"""Everybody's password in the Guilin test store (set with `user passwd`, from stdin)."""
PEOPLE = ["zhang", "zhao2", "huang", "li", "wang", "boss", "chen", "liu"]


def cli_ok(db: str, *args: str, stdin: str | None = None, actor: str | None = "admin") -> str:
    """Runs the CLI in process as `actor`, with `stdin`; fails the test on a non-zero exit."""
    argv = ["--db", db, *(["--as", actor] if actor else []), *args]
    result = CliRunner().invoke(cli, argv, input=stdin, env=CLEAN_ENV)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def set_password(db: str, login: str, password: str = PASSWORD) -> None:
    cli_ok(db, "user", "passwd", login, stdin=password + "\n")


def issue_token(db: str, login: str, name: str | None = None) -> str:
    out = cli_ok(db, "--json", "user", "token", login, *(["--name", name] if name else []))
    return str(json.loads(out)["token"])


def guilin_store(db: str, passwords: bool = True) -> str:
    """A Guilin store (two teaching sites, their heads, two college officers, candidates) where
    everybody's password is PASSWORD."""
    make_org(open_app(parse_location(db), create=True)).close()
    for login in PEOPLE if passwords else []:
        set_password(db, login)
    return db


class Served:
    """`bzr-workflow --db DB serve --port 0` in its own process; `url` is the line it printed."""

    def __init__(self, db: str, *extra: str, timeout: float = 30.0) -> None:
        env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
        self.proc = subprocess.Popen([BZR, "--db", db, "serve", "--port", "0", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     start_new_session=True)
        self.url = self._announced(timeout)
        self.port = int(self.url.rsplit(":", 1)[1])

    def _announced(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("serving http://"):
            self.proc.kill()
            _, err = self.proc.communicate(timeout=10)
            raise AssertionError(f"serve printed {line!r}; stderr: {err.decode()[-2000:]}")
        return line.split()[1]

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> tuple[int, str, float]:
        """Sends `sig`; the exit code, standard error and how long it took to stop."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            _, err = self.proc.communicate()
            raise AssertionError(f"serve did not stop within {timeout} s of {sig!r}") from None
        return self.proc.returncode, err.decode(), time.monotonic() - started

    def close(self) -> None:
        if self.proc.poll() is None:
            self.stop(signal.SIGTERM)


def http(method: str, url: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One request; the status and the decoded JSON body (or the text when not JSON)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        **({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as refused:
        status, raw = refused.code, refused.read()
    text = raw.decode("utf-8")
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


@pytest.fixture(scope="module")
def guilin_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """One server per module over a Guilin store with passwords: (the server, the store)."""
    db = guilin_store(str(tmp_path_factory.mktemp("served") / "store.db"))
    served = Served(db)
    yield served, db
    served.close()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium: under CI its absence fails the run; elsewhere the browser tests skip."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-microhei"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI must run the browser tests, not skip them)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def chromium_browser(chromium: str) -> Iterator[Browser]:
    """Debian's Chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                      timeout=30_000)
        yield launched
        launched.close()


def signed_in(browser: Browser, url: str, login: str, width: int = 1280,
              password: str = PASSWORD, timeout: int = 10_000, height: int = 900) -> Page:
    """A page of a new zh-CN context (its own cookies) `width` x `height` px, signed in at `url`
    as `login` through the sign-in form (Playwright's contexts accept downloads)."""
    context = browser.new_context(base_url=url, locale="zh-CN",
                                  viewport={"width": width, "height": height})
    context.set_default_timeout(timeout)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=user]", login)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login'] [type=submit]")
    return page


def looked_at(page: Page, width: int, name: str) -> None:
    """The page never scrolls sideways at `width`; its screenshot is kept as SHOTS/NAME-WIDTH.png."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (page.url, name, scroll)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
