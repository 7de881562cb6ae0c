"""A countersign step (会签) on the case page in a real browser (Debian's Chromium): a holder
signs with the page's button, the step stays pending and the page names who signed and who is
still awaited; the holder who signed has no sign button left; 1280 and 375 px."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bzr_workflow.application import open_app, parse_location
from guilin_org import make_org
from webrun import (PEOPLE, SHOTS, Served, chromium, chromium_browser,  # noqa: F401 (fixtures)
                    cli_ok, set_password, signed_in)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser  # noqa: E402

POLICY = str(Path(__file__).parents[1] / "policies" / "countersign.toml")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    db = str(tmp_path_factory.mktemp("countersign") / "store.db")
    make_org(open_app(parse_location(db), create=True), POLICY).close()
    for login in PEOPLE:
        set_password(db, login)
    served = Served(db)
    yield served.url, db
    served.close()


def test_a_holder_signs_a_countersign_step_and_the_page_names_who_is_awaited(
        chromium_browser: Browser, site: tuple[str, str]) -> None:
    url, db = site
    ref = cli_ok(db, "recruit", "apply", "--class", "kj1", actor="chen").split()[0]
    zhang = signed_in(chromium_browser, url, "zhang")
    zhang.goto(f"/cases/{ref}")
    form = zhang.locator(f"form[action='/cases/{ref}/approve']")
    form.locator("[name=comment]").fill("同意推荐")
    with zhang.expect_navigation():
        form.locator("[type=submit]").click()
    progress = zhang.locator(".step-pending .countersign")
    assert "张建国" in progress.locator(".countersign-signed").inner_text()
    awaited = progress.locator(".countersign-awaited").inner_text()
    assert "院长" in awaited and "赵副主任" in awaited and "张建国" not in awaited
    assert "2" in progress.locator(".countersign-needed").inner_text()
    assert zhang.locator(f"form[action='/cases/{ref}/approve']").count() == 0
    waiting = zhang.locator(".waiting").inner_text()  # 已会签 once the catalogue has it
    assert "zhang" in waiting and "推荐单位审核" in waiting
    SHOTS.mkdir(parents=True, exist_ok=True)
    zhang.screenshot(path=str(SHOTS / "countersign-1280.png"), full_page=True)
    boss = signed_in(chromium_browser, url, "boss", width=375)
    boss.goto(f"/cases/{ref}")
    assert boss.locator(f"form[action='/cases/{ref}/approve']").count() == 1
    assert "张建国" in boss.locator(".step-pending .countersign").inner_text()
    width = boss.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    boss.screenshot(path=str(SHOTS / "countersign-375.png"), full_page=True)
