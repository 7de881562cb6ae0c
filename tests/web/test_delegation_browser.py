"""Delegation in a real browser (Chromium through Playwright) against the served app: a holder names a deputy on the delegation page (linked from 我的), the deputy finds the case in 待办 marked with whose it is and signs it, the history says "刘芳 代 张建国"; at 1280 and 375 px."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from webrun import (Served, chromium, chromium_browser, cli_ok,  # noqa: F401 (fixtures)
                    guilin_served)
from test_browser import apply, no_overflow, person, shoot

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page  # noqa: E402


def days() -> tuple[str, str]:
    today = datetime.now(timezone(timedelta(hours=8))).date()  # Guilin's time zone
    return (today - timedelta(days=1)).isoformat(), (today + timedelta(days=3)).isoformat()


def name_deputy(page: Page, deputy: str, kind: str = "recruitment") -> None:
    page.goto("/mine")
    with page.expect_navigation():
        page.click("a[href='/delegations']")
    start, until = days()
    form = page.locator("form[action='/delegations']")
    form.locator("[name=to]").fill(deputy)
    form.locator("[name=start]").fill(start)
    form.locator("[name=until]").fill(until)
    form.locator("[name=kind]").select_option(kind)
    with page.expect_navigation():
        form.locator("[type=submit]").click()


def test_a_holder_names_a_deputy_who_signs_for_them_in_the_browser(
        chromium_browser: Browser, guilin_served: tuple[Served, str]) -> None:
    served, db = guilin_served
    url = served.url
    ref = apply(url, db, "chen", "kj1")
    holder = person(chromium_browser, url, "zhang")
    name_deputy(holder, "liu")
    row = holder.locator("table.delegations tbody tr").first
    assert "刘芳" in row.inner_text() and "生效中" in row.inner_text(), row.inner_text()
    shoot(holder, "delegations-1280.png")

    deputy = person(chromium_browser, url, "liu")
    entry = deputy.locator(f"tr:has(a[href='/cases/{ref}'])")
    assert "代 张建国" in entry.inner_text(), entry.inner_text()
    with deputy.expect_navigation():
        deputy.click(f"a[href='/cases/{ref}']")
    assert "张建国" in deputy.locator("p.deputy").inner_text()
    form = deputy.locator(f"form[action='/cases/{ref}/approve']")
    form.locator("[name=comment]").fill("王主任外出，代为同意")
    with deputy.expect_navigation():
        form.locator("[type=submit]").click()
    assert deputy.url.endswith(f"/cases/{ref}"), deputy.url
    signed = deputy.locator("table.history tbody tr").last.inner_text()
    assert "刘芳 代 张建国" in signed, signed
    shoot(deputy, "deputy-signed-1280.png")
    entries = json.loads(cli_ok(db, "--json", "history", ref, actor=None))
    assert (entries[-1]["actor"], entries[-1]["on_behalf_of"]) == ("liu", "zhang")
    holder.context.close()
    deputy.context.close()


def test_the_delegation_page_fits_a_phone_and_revokes(
        chromium_browser: Browser, guilin_served: tuple[Served, str]) -> None:
    served, db = guilin_served
    page = person(chromium_browser, served.url, "huang", width=375)
    name_deputy(page, "chen")
    no_overflow(page, 375)
    shoot(page, "delegations-375.png")
    row = page.locator("table.delegations tbody tr:has-text('陈晓明')")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "已撤销" in page.locator("table.delegations tbody tr:has-text('陈晓明')").inner_text()
    listed = json.loads(cli_ok(db, "--json", "delegate", "--list", actor="huang"))
    assert [d["state"] for d in listed if d["deputy"] == "chen"] == ["revoked"]
    page.context.close()
