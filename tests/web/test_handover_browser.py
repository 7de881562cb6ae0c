"""拿回 and 转办 on the case page in a real browser (Debian's Chromium through Playwright) against
`serve`: a site head takes back a sign-off; the administrator reassigns the college's step to
王海燕, whose page then says so and who alone may sign; at 1280 and 375 px, never sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from bzr_workflow.application import open_app, parse_location
from guilin_org import make_org
from webrun import (Served, chromium, chromium_browser, looked_at,  # noqa: F401
                    set_password, signed_in)

WIDTHS = (1280, 375)


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
        zhang = signed_in(chromium_browser, server.url, "zhang", width)
        zhang.goto(f"/cases/{ref}")
        submit(zhang, f"form[action='/cases/{ref}/approve']", comment="同意推荐")
        assert zhang.locator(f"form[action='/cases/{ref}/takeback']").count() == 1
        looked_at(zhang, width, "takeback-offered")
        submit(zhang, f"form[action='/cases/{ref}/takeback']", reason="材料还要核对")
        assert zhang.url.endswith(f"/cases/{ref}")
        assert zhang.locator(f"form[action='/cases/{ref}/takeback']").count() == 0
        assert "材料还要核对" in zhang.locator("table.history").inner_text()
        submit(zhang, f"form[action='/cases/{ref}/approve']", comment="核对无误")

        admin = signed_in(chromium_browser, server.url, "admin", width)
        admin.goto(f"/cases/{ref}")
        options = admin.locator(f"form[action='/cases/{ref}/reassign'] [name=to] option")
        assert "王海燕（wang）" in options.all_inner_texts()
        looked_at(admin, width, "reassign-form")
        submit(admin, f"form[action='/cases/{ref}/reassign']", to="wang", reason="李老师出差")
        assert "王海燕" in admin.locator("p.assigned").inner_text()
        looked_at(admin, width, "reassigned")

        li = signed_in(chromium_browser, server.url, "li", width)
        li.goto(f"/cases/{ref}")
        assert li.locator(f"form[action='/cases/{ref}/approve']").count() == 0
        assert "wang" in li.locator("p.waiting").inner_text()
        li.goto("/")
        assert ref not in li.content()
        wang = signed_in(chromium_browser, server.url, "wang", width)
        wang.goto("/")
        assert ref in wang.content()
        wang.goto(f"/cases/{ref}")
        submit(wang, f"form[action='/cases/{ref}/approve']", comment="同意")
        assert wang.locator("p.assigned").count() == 0
    finally:
        server.close()
