"""The notices page and API on a served Guilin store whose notices went to a real SMTP server and a
real webhook receiver on loopback: an administrator (from the admin page) and the office see
what was sent and what failed, by name, in a real browser at 1280 and 375 px; an advisor does not.
Screenshots are kept under $BZR_SCREENSHOTS as notices-*.png."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bzr_workflow.application import open_app, parse_location
from noticerun import LoopbackSMTP
from webrun import (SHOTS, Served, chromium, chromium_browser,  # noqa: F401
                    guilin_store, http, issue_token, set_password, signed_in)

from playwright.sync_api import Browser



def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """A store where an application was mailed to 张建国 and 院长, and its webhook failed."""
    db = guilin_store(str(tmp_path_factory.mktemp("notices") / "store.db"))
    set_password(db, "admin")
    server = LoopbackSMTP()
    server.start()
    app = open_app(parse_location(db))
    try:
        app.notices.configure(f"127.0.0.1:{server.port}", "bzr@gxu.edu.cn", "", "",
                              [f"http://127.0.0.1:{closed_port()}/robot/send?access_token=t"],
                              "", "admin")
        for login in ("zhang", "boss"):
            app.org.update_user(login, {"email": f"{login}@gxu.edu.cn"}, "admin")
        app.cases.recruit_apply("kj1", None, None, "申请", "chen")
        assert app.notices.tick(datetime.now(UTC))["sent"] == 2
    finally:
        app.close()
        server.stop()
    served = Served(db)
    yield served, db
    served.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_an_administrator_finds_the_notices_from_the_admin_page(
        chromium_browser: Browser, told: tuple[Served, str], width: int) -> None:
    served, _ = told
    page = signed_in(chromium_browser, served.url, "admin", width, timeout=15_000)
    page.goto("/admin")
    with page.expect_navigation():
        page.click("a[href='/admin/notices']")
    rows = page.locator("table.notices tbody tr")
    assert rows.count() == 3
    sent = page.locator("tr[data-state=sent]").all_inner_texts()
    assert any("张建国" in r and "R-1" in r for r in sent), sent
    assert any("院长" in r for r in sent), sent
    waiting = page.locator("tr[data-state=pending]").inner_text()
    assert "cannot reach 127.0.0.1" in waiting and "Connection refused" in waiting
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"notices-{width}.png"), full_page=True)
    page.context.close()


def test_the_office_reads_the_notices_and_an_advisor_may_not(
        chromium_browser: Browser, told: tuple[Served, str]) -> None:
    served, _ = told
    office = signed_in(chromium_browser, served.url, "li", 1280, timeout=15_000)
    office.goto("/admin/notices")
    assert office.locator("table.notices tbody tr").count() == 3
    office.context.close()
    advisor = signed_in(chromium_browser, served.url, "chen", 1280, timeout=15_000)
    answer = advisor.goto("/admin/notices")
    assert answer is not None and answer.status == 403
    advisor.context.close()


def test_the_api_lists_the_notices_newest_first_and_the_failed_alone(
        told: tuple[Served, str]) -> None:
    served, db = told
    auth = {"Authorization": f"Bearer {issue_token(db, 'li')}"}
    status, rows = http("GET", served.url + "/api/v1/notices", headers=auth)
    assert status == 200 and len(rows) == 3
    assert {(r["channel"], r["recipient_name"], r["state"]) for r in rows} == {
        ("email", "张建国", "sent"), ("email", "院长", "sent"), ("webhook", "127.0.0.1", "pending")}
    assert {"at", "case", "subject", "attempts", "error"} <= set(rows[0])
    status, failed = http("GET", served.url + "/api/v1/notices?failed=true", headers=auth)
    assert (status, failed) == (200, [])


def test_the_api_refuses_an_advisor_and_an_unknown_query(told: tuple[Served, str]) -> None:
    served, db = told
    status, refused = http("GET", served.url + "/api/v1/notices", headers={
        "Authorization": f"Bearer {issue_token(db, 'chen')}", "Accept-Language": "en"})
    assert status == 403 and refused["code"] == 3 and "no office role" in refused["error"]
    status, refused = http("GET", served.url + "/api/v1/notices?state=sent", headers={
        "Authorization": f"Bearer {issue_token(db, 'li', 'second')}"})
    assert status == 400 and refused["code"] == 2


def test_the_openapi_document_lists_the_notices(told: tuple[Served, str]) -> None:
    served, _ = told
    status, doc = http("GET", served.url + "/api/v1/openapi.json")
    operation = doc["paths"]["/api/v1/notices"]["get"]
    assert status == 200 and "403" in operation["responses"]
    assert [p["name"] for p in operation["parameters"]] == ["failed"]
