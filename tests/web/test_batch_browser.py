"""The batch page in a real browser (Debian's Chromium through Playwright) against `serve`: in
Suzhou's year, 李志强 (机电学院) opens it from his inbox, sees 冯雪's appraisal with its 70 合格
and 何静's not yet scored, ticks both, checks exactly those on the confirmation, signs: 冯雪's
signed, 何静's refused with its reason in Chinese; at 1280 and 375 px, never scrolling sideways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from suzhou_year import make_year
from webrun import (Served, chromium, chromium_browser, looked_at,  # noqa: F401
                    set_password, signed_in)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser  # noqa: E402


def season(app: WorkflowApp) -> list[str]:
    """Suzhou's year: 冯雪's appraisal scored 70 by 机电学院, 何静's not yet (his inbox's two)."""
    make_year(app)
    return [r["id"] for r in app.reads.inbox("m1")]


@pytest.mark.parametrize("width", (1280, 375))
def test_a_site_head_ticks_confirms_and_signs_two_appraisals(
        chromium_browser: Browser, tmp_path: Path, width: int) -> None:
    db = str(tmp_path / "store.db")
    app = open_app(parse_location(db), create=True)
    refs = season(app)
    app.close()
    set_password(db, "m1")
    server = Served(db)
    try:
        page = signed_in(chromium_browser, server.url, "m1", width)
        with page.expect_navigation():
            page.click("a[href='/batch']")
        rows = page.locator("table.cases tbody tr")
        assert rows.count() == 2
        first = rows.nth(0).inner_text()
        assert "冯雪" in first and "70" in first and "合格" in first and "feng" not in first
        page.check(f"input[value^='{refs[0]}:']")
        page.check(f"input[value^='{refs[1]}:']")
        page.fill("textarea[name=comment]", "同意")
        looked_at(page, width, "batch-choose")
        with page.expect_navigation():
            page.click("form[action='/batch/confirm'] [type=submit]")
        shown = page.locator("table.cases tbody tr")
        assert shown.count() == 2  # exactly the two ticked, nothing else
        assert "何静" in page.locator("table.cases").inner_text()
        assert page.locator("form[action='/batch/sign'] input[name=case]").count() == 2
        looked_at(page, width, "batch-confirm")
        with page.expect_navigation():
            page.click("form[action='/batch/sign'] [type=submit]")
        assert page.locator("code.batch-id").inner_text().startswith("B-")
        assert page.locator("ul.signed li").all_inner_texts() == [refs[0]]
        refused = page.locator("table.refused tbody tr").inner_text()
        assert refs[1] in refused and "何静" not in refused and "before" not in refused
        assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.split(refs[1], 1)[1])
        looked_at(page, width, "batch-done")
        page.context.close()
    finally:
        server.close()
    app = open_app(parse_location(db))
    try:
        assert [app.case(r).step for r in refs] == ["school_opinion", "school_appraisal"]
    finally:
        app.close()
