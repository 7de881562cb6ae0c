"""Deadlines on the web: GET /api/v1/overdue and the inbox's due marks over a real server on
loopback, serve's own scheduler finalising a 公示 that has run (a real `serve --tick`), and the
逾期 badge on 待办 and the overdue page in Chromium at 1280 and 375 px."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from pagerun import password
from suzhou_year import make_year
from webrun import (Served, chromium, chromium_browser, http,  # noqa: F401 (fixtures)
                    issue_token, looked_at, signed_in)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser  # noqa: E402



def suzhou_played_ten_days_ago(db: str) -> dict[str, str]:
    """Suzhou's year, everybody with pagerun's password, played ten days ago (its four 公示 of
    five days have run); advisor → case."""
    app = open_app(parse_location(db), create=True)
    past = datetime.now(UTC) - timedelta(days=10)
    app.clock = lambda: past  # type: ignore[method-assign]
    try:
        make_year(app, password)
        return {r["subject"]: r["id"] for r in app.reads.cases("appraisal")}
    finally:
        app.close()


class InProcess:
    """The web application served by uvicorn on loopback from a thread of this process, over
    a door whose clock the test sets (application/app.py `clock`, the seam for "now")."""

    def __init__(self, door: WorkflowApp) -> None:
        config = uvicorn.Config(create_app(door.location, door=door), host="127.0.0.1", port=0,
                                log_level="warning")
        self.server = uvicorn.Server(config)
        sock = config.bind_socket()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def month_later(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """(the URL, advisor → case) of Suzhou's year served as it stands a month from now."""
    db = str(tmp_path_factory.mktemp("deadlines") / "store.db")
    refs = suzhou_played_ten_days_ago(db)
    door = open_app(parse_location(db))
    moment = datetime.now(UTC) + timedelta(days=30)
    door.clock = lambda: moment  # type: ignore[method-assign]
    served = InProcess(door)
    yield served.url, refs | {"db": db}
    served.close()
    door.close()


def bearer(db: str, login: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(db, login)}"}


def test_the_api_lists_overdue_steps_the_caller_may_read(
        month_later: tuple[str, dict[str, str]]) -> None:
    url, refs = month_later
    status, rows = http("GET", url + "/api/v1/overdue", headers=bearer(refs["db"], "aud"))
    assert status == 200, rows
    late = {r["case"]: r for r in rows}
    assert set(late) == {refs["zheng"], refs["feng"], refs["he"]}
    assert (late[refs["zheng"]]["subject_name"], late[refs["zheng"]]["holders"]) == (
        "郑涛", ["o1", "o2"])
    status, rows = http("GET", url + "/api/v1/overdue", headers=bearer(refs["db"], "s1"))
    assert (status, rows) == (200, [])


def test_the_api_inbox_marks_a_late_step(month_later: tuple[str, dict[str, str]]) -> None:
    url, refs = month_later
    status, rows = http("GET", url + "/api/v1/inbox", headers=bearer(refs["db"], "o1"))
    assert status == 200
    [row] = [r for r in rows if r["id"] == refs["zheng"]]
    assert row["overdue"] is True and row["due"] < (datetime.now(UTC) + timedelta(days=30)
                                                    ).isoformat()


def test_the_openapi_document_has_overdue(month_later: tuple[str, dict[str, str]]) -> None:
    status, doc = http("GET", month_later[0] + "/api/v1/openapi.json")
    assert status == 200 and "get" in doc["paths"]["/api/v1/overdue"]


def test_serves_own_scheduler_finalises_a_run_announcement_by_rule(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    refs = suzhou_played_ten_days_ago(db)
    server = Served(db, "--tick", "0.5")
    try:
        deadline, final = time.monotonic() + 60, False
        while not final and time.monotonic() < deadline:
            time.sleep(0.5)
            final = _actors(db, refs["zhou"]) == ["@rule", "@rule"]
        assert final, _actors(db, refs["zhou"])
    finally:
        code, err, _ = server.stop()
    assert code == 0, err


def _actors(db: str, ref: str) -> list[str]:
    """Who finalised and rewarded `ref` (read from a store of its own)."""
    app = open_app(parse_location(db))
    try:
        return [e.actor for e in app.events_of(app.case(ref).id)
                if type(e).__name__ in ("Finalised", "Rewarded")]
    finally:
        app.close()


def test_serve_without_a_tick_finalises_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "store.db")
    refs = suzhou_played_ten_days_ago(db)
    server = Served(db, "--tick", "0")
    time.sleep(2)
    server.stop()
    assert _actors(db, refs["zhou"]) == []


# -- in a browser ------------------------------------------------------------------------

@pytest.mark.parametrize("width", [1280, 375])
def test_the_inbox_marks_a_late_step_overdue_and_links_the_overdue_page(
        chromium_browser: Browser, month_later: tuple[str, dict[str, str]], width: int) -> None:
    url, refs = month_later
    page = signed_in(chromium_browser, url, "o1", width, password("o1"))
    row = page.locator("table.cases tr", has=page.locator(f"a[href='/cases/{refs['zheng']}']"))
    assert row.locator(".badge.overdue").inner_text() == "逾期"
    looked_at(page, width, "deadlines-inbox")
    page.click("a[href='/overdue']")
    assert page.locator("h1").inner_text() == "逾期事项"
    late = page.locator("table.overdue-list tr", has=page.locator(
        f"a[href='/cases/{refs['zheng']}']"))
    assert "郑涛" in late.inner_text() and "o1, o2" in late.inner_text()
    looked_at(page, width, "deadlines-overdue")
    page.context.close()
