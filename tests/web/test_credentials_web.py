"""Issue 20 item 7 on the web: `__Host-` cookies behind HTTPS, /password guesses locked like
sign-ins, tokens that expire and die with a password reset, sessions with an absolute end, and
older invitations dead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pagerun import csrf_of, password

from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app

Browser = Callable[[str | None], TestClient]


class Clock:
    """The store's clock, which the web's credential checks read; moved on by the test."""

    def __init__(self, app: WorkflowApp) -> None:
        self.now = datetime.now(UTC)
        app.clock = lambda: self.now  # type: ignore[method-assign]

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(store: WorkflowApp) -> Clock:
    return Clock(store)


@pytest.fixture
def https(store: WorkflowApp) -> Iterator[TestClient]:
    """A browser that reaches the server over HTTPS."""
    web = create_app(store.location, store)
    with TestClient(web, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_behind_https_the_session_cookie_is_a_host_cookie(https: TestClient) -> None:
    answer = https.post("/api/v1/session", json={"user": "zhang", "password": password("zhang")})
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("__Host-bzr_session=")
    assert "secure" in cookie.lower() and "path=/" in cookie.lower()
    assert "domain" not in cookie.lower()
    assert https.get("/api/v1/me").json()["user"] == "zhang"


def test_behind_https_a_bare_session_cookie_is_not_believed(https: TestClient,
                                                            store: WorkflowApp) -> None:
    """A cookie a sibling host or a plain-HTTP page planted has the bare name: ignored."""
    done = store.credentials.sign_in("zhang", password("zhang"), "127.0.0.1")
    https.cookies.set("bzr_session", done.session_id)
    assert https.get("/api/v1/me").status_code == 401


def test_behind_https_the_login_form_works_with_host_cookies(https: TestClient) -> None:
    form = https.get("/login")
    assert form.headers["set-cookie"].startswith("__Host-bzr_login_csrf=")
    assert "path=/;" in form.headers["set-cookie"].lower() + ";"
    answer = https.post("/login", data={"user": "zhang", "password": password("zhang"),
                                        "csrf": csrf_of(form.text)})
    assert answer.status_code == 303, answer.text
    assert https.get("/").status_code == 200


def test_over_plain_http_the_cookie_keeps_its_bare_name(browser: Browser) -> None:
    client = browser(None)
    answer = client.post("/api/v1/session", json={"user": "zhang",
                                                  "password": password("zhang")})
    assert answer.headers["set-cookie"].startswith("bzr_session=")


def test_wrong_current_passwords_on_the_password_page_lock_the_name(
        browser: Browser, store: WorkflowApp) -> None:
    client = browser("zhang")
    form = csrf_of(client.get("/password").text)
    statuses = [client.post("/password", data={"old": f"guess {n}", "new": "another-pw-1",
                                               "confirm": "another-pw-1", "csrf": form}).status_code
                for n in range(6)]
    assert statuses == [401] * 5 + [423]
    outsider = browser(None)
    answer = outsider.post("/api/v1/session", json={"user": "zhang",
                                                    "password": password("zhang")})
    assert answer.status_code == 423 and answer.json()["code"] == 3
    with pytest.raises(Exception, match="locked"):
        store.credentials.change_password("zhang", password("zhang"), "another-pw-1", None)


def test_an_expired_token_is_refused(browser: Browser, store: WorkflowApp, clock: Clock) -> None:
    token = store.credentials.issue_token("zhang", "ci", "zhang", days=1)["token"]
    client = browser(None)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    clock.advance(days=1, seconds=1)
    answer = client.get("/api/v1/me", headers=bearer(token))
    assert answer.status_code == 401 and answer.json()["code"] == 3


def test_a_token_is_dead_after_a_password_reset(browser: Browser, store: WorkflowApp) -> None:
    token = store.credentials.issue_token("zhang", "ci", "zhang")["token"]
    client = browser(None)
    assert client.get("/api/v1/inbox", headers=bearer(token)).status_code == 200
    store.credentials.set_password("zhang", "reset-by-admin-1", "admin")
    assert client.get("/api/v1/inbox", headers=bearer(token)).status_code == 401


def test_a_seven_day_old_session_is_refused_however_recently_used(
        browser: Browser, clock: Clock) -> None:
    client = browser("zhang")
    for _ in range(15):  # a request every 11 hours: never idle for 12
        clock.advance(hours=11)
        assert client.get("/api/v1/me").status_code == 200
    clock.advance(hours=3, seconds=1)
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/").headers.get("location") == "/login"


def test_an_older_invitation_is_dead_after_a_newer_one(browser: Browser,
                                                       store: WorkflowApp) -> None:
    store.org.add_user("sun", "孙婷", [], "admin")
    older = store.credentials.invite("sun", "admin")["path"]
    newer = store.credentials.invite("sun", "admin")["path"]
    client = browser(None)
    assert client.get(older).status_code == 403
    assert client.get(newer).status_code == 200


def test_an_invitation_is_dead_after_an_administrator_sets_the_password(
        browser: Browser, store: WorkflowApp) -> None:
    store.org.add_user("sun", "孙婷", [], "admin")
    path = store.credentials.invite("sun", "admin")["path"]
    store.credentials.set_password("sun", "set-by-admin-1", "admin")
    client = browser(None)
    form = client.get(path)
    assert form.status_code == 403
