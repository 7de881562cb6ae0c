"""拿回 and 转办 on the case page in a real browser (Debian's Chromium through Playwright) against
`serve`: a site head takes back a sign-off; the administrator reassigns the college's step to
王海燕, whose page then says so and who alone may sign; at 1280 and 375 px, never sideways."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bzr_workflow.application import open_app, parse_location
from guilin_org import make_org
from webrun import CHROMIUM_ARGS, PASSWORD, Served, chromium, set_password  # noqa: F401

SHOTS = Path(os.environ.get("BZR_SCREENSHOTS", "/tmp/bzr-workflow-screenshots"))
WIDTHS = (1280, 375)


@pytest.fixture(scope="module")
def chromium_browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                      timeout=30_000)
        yield launched
        launched.close()


def person(browser: Browser, url: str, login: str, width: int) -> Page:
    context = browser.new_context(base_url=url, locale="zh-CN",
                                  viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=user]", login)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login'] [type=submit]")
    return page


def looked_at(page: Page, width: int, name: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (page.url, scroll)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def submit(page: Page, form: str, **fields: str) -> None:
    found = page.locator(form)
    for name, value in fields.items():
        if name == "to":
            found.locator("[name=to]").select_option(value)
        else:
            found.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        found.locator("[type=submit]").click()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_sign_off_is_taken_back_and_a_step_reassigned_on_the_case_page(
        chromium_browser: Browser, tmp_path: Path, width: int) -> None:
    db = str(tmp_path / "store.db")
    app = open_app(parse_location(db), create=True)
    make_org(app)
    ref = str(app.cases.recruit_apply("kj1", None, None, "申请担任会计1班班主任", "chen")["id"])
    app.close()
    for login in ("zhang", "li", "wang", "admin"):
        set_password(db, login)
    server = Served(db)
    try:
        zhang = person(chromium_browser, server.url, "zhang", width)
        zhang.goto(f"/cases/{ref}")
        submit(zhang, f"form[action='/cases/{ref}/approve']", comment="同意推荐")
        assert zhang.locator(f"form[action='/cases/{ref}/takeback']").count() == 1
        looked_at(zhang, width, "takeback-offered")
        submit(zhang, f"form[action='/cases/{ref}/takeback']", reason="材料还要核对")
        assert zhang.url.endswith(f"/cases/{ref}")
        assert zhang.locator(f"form[action='/cases/{ref}/takeback']").count() == 0
        assert "材料还要核对" in zhang.locator("table.history").inner_text()
        submit(zhang, f"form[action='/cases/{ref}/approve']", comment="核对无误")

        admin = person(chromium_browser, server.url, "admin", width)
        admin.goto(f"/cases/{ref}")
        options = admin.locator(f"form[action='/cases/{ref}/reassign'] [name=to] option")
        assert "王海燕（wang）" in options.all_inner_texts()
        looked_at(admin, width, "reassign-form")
        submit(admin, f"form[action='/cases/{ref}/reassign']", to="wang", reason="李老师出差")
        assert "王海燕" in admin.locator("p.assigned").inner_text()
        looked_at(admin, width, "reassigned")

        li = person(chromium_browser, server.url, "li", width)
        li.goto(f"/cases/{ref}")
        assert li.locator(f"form[action='/cases/{ref}/approve']").count() == 0
        assert "wang" in li.locator("p.waiting").inner_text()
        li.goto("/")
        assert ref not in li.content()
        wang = person(chromium_browser, server.url, "wang", width)
        wang.goto("/")
        assert ref in wang.content()
        wang.goto(f"/cases/{ref}")
        submit(wang, f"form[action='/cases/{ref}/approve']", comment="同意")
        assert wang.locator("p.assigned").count() == 0
    finally:
        server.close()
