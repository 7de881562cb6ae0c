"""Awards, the allowance and the work log in a real browser (Debian's Chromium through Playwright)
against `serve`: a Guilin award nominated and signed to its .docx, an Aksu allowance month to its
XLSX, an advisor logging a talk on a phone; at 1280 and 375 px, never scrolling sideways."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from bzr_workflow.application import open_app, parse_location
from guilin_org import make_org
from webrun import (Served, chromium, chromium_browser, cli_ok,  # noqa: F401 (fixtures)
                    looked_at, set_password, signed_in)
from work_org import PERIOD, aksu, appointed, excellent

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page  # noqa: E402

WIDTHS = (1280, 375)


def served(db: str, setup: object, people: list[str]) -> Served:
    app = open_app(parse_location(db), create=True)
    setup(app)  # type: ignore[operator]
    app.close()
    for login in people:
        set_password(db, login)
    return Served(db)


def person(browser: Browser, url: str, login: str, width: int) -> Page:
    page = signed_in(browser, url, login, width)
    assert page.url == url + "/", (login, page.url)
    return page


def sign(page: Page, ref: str, comment: str) -> None:
    page.goto(f"/cases/{ref}")
    form = page.locator(f"form[action='/cases/{ref}/approve']")
    form.locator("[name=comment]").fill(comment)
    with page.expect_navigation():
        form.locator("[type=submit]").click()


def guilin(app: object) -> None:
    make_org(app)  # type: ignore[arg-type]
    excellent(app)  # type: ignore[arg-type]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_guilin_award_is_nominated_signed_and_downloaded_as_its_docx(
        chromium_browser: Browser, tmp_path: Path, width: int) -> None:
    from docx import Document

    server = served(str(tmp_path / "guilin.db"), guilin, ["zhang", "li", "wang"])
    try:
        zhang = person(chromium_browser, server.url, "zhang", width)
        zhang.goto(f"/awards?period={PERIOD}")
        nominate = zhang.locator("form[action='/awards'][method=post]")
        nominate.locator("[name=advisor]").select_option("chen")
        nominate.locator("[name=period]").fill(PERIOD)
        nominate.locator("[name=deeds]").fill("带班认真负责，学生满意度高")
        looked_at(zhang, width, "awards-nominate")
        with zhang.expect_navigation():
            nominate.locator("[type=submit]").click()
        ref = zhang.url.rsplit("/", 1)[1]
        sign(zhang, ref, "同意推荐")
        for login, comment in (("li", "同意"), ("wang", "予以表彰")):
            sign(person(chromium_browser, server.url, login, width), ref, comment)
        zhang.goto(f"/cases/{ref}/form")
        assert "陈晓明" in zhang.content() and "予以表彰" not in zhang.content()  # the last
        looked_at(zhang, width, "award-form")  # level publishes; its opinion is not a box
        zhang.goto(f"/cases/{ref}")
        with zhang.expect_download() as download:
            zhang.click(f"a[href='/cases/{ref}/form.docx']")
        saved = tmp_path / "form.docx"
        download.value.save_as(str(saved))
        cells = [c.text for t in Document(str(saved)).tables for r in t.rows for c in r.cells]
        for shown in ("陈晓明", "男", "1980-05", "汉族", "中共党员", "南宁校外教学点",
                      "带班认真负责，学生满意度高", "同意推荐", "张建国", "李志强"):
            assert any(shown in c for c in cells), shown
        zhang.goto(f"/awards?period={PERIOD}")
        assert "陈晓明" in zhang.content()
        looked_at(zhang, width, "awards-list")
    finally:
        server.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_aksu_allowance_month_downloads_as_xlsx_with_number_cells_summing_to_the_total(
        chromium_browser: Browser, tmp_path: Path, width: int) -> None:
    from openpyxl import load_workbook

    db = str(tmp_path / "aksu.db")
    server = served(db, aksu, ["xue"])
    try:
        month = json.loads(cli_ok(db, "--json", "appointments"))[0]["start"][:7]
        total = json.loads(cli_ok(db, "--json", "allowance", "--month", month))["total"]
        xue = person(chromium_browser, server.url, "xue", width)
        xue.goto("/allowance")
        xue.fill("input[name=month]", month)
        with xue.expect_navigation():
            xue.click("form[action='/allowance'] [type=submit]")
        assert "田老师" in xue.content() and "机电工程系" in xue.content()
        looked_at(xue, width, "allowance")
        with xue.expect_download() as download:
            xue.click(f"a[href='/allowance.xlsx?month={month}']")
        saved = tmp_path / "allowance.xlsx"
        download.value.save_as(str(saved))
        rows = list(load_workbook(str(saved)).active.iter_rows())
        lines = [r for r in rows[2:] if r[1].value]  # a line names its advisor's login
        assert {r[0].value for r in lines} == {"田老师", "专老师"}
        amounts = [r[5].value for r in lines]
        assert all(isinstance(a, (int, float)) for a in amounts)
        assert round(sum(amounts), 2) == total
        summed = next(r for r in rows if r[0].value == "合计")[5]
        assert isinstance(summed.value, float) and summed.value == total
    finally:
        server.close()


def test_an_advisor_logs_a_talk_on_a_phone(chromium_browser: Browser, tmp_path: Path) -> None:
    def org(app: object) -> None:
        make_org(app)  # type: ignore[arg-type]
        appointed(app)  # type: ignore[arg-type]

    db = str(tmp_path / "guilin.db")
    server = served(db, org, ["chen"])
    try:
        chen = person(chromium_browser, server.url, "chen", 375)
        chen.goto("/log")
        form = chen.locator("form[action='/log']")
        talk = next(a for a in json.loads(cli_ok(db, "--json", "log", "activities"))
                    if "talk" in a["activity"] or "谈" in a["label"])
        form.locator("[name=activity]").select_option(talk["activity"])
        form.locator("[name=date]").fill("2026-10-12")
        form.locator("[name=class]").select_option("kj1")
        form.locator("[name=student]").fill("王同学")
        form.locator("[name=note]").fill("学习计划谈心")
        looked_at(chen, 375, "log-form")
        with chen.expect_navigation():
            form.locator("[type=submit]").click()
        assert chen.url.endswith("/log?done=2026-10-12")
        looked_at(chen, 375, "log-done")
        report = json.loads(cli_ok(db, "--json", "norms", "--advisor", "chen", "--period", PERIOD))
        assert report["entries"] == 1
        chen.goto(f"/norms?period={PERIOD}")
        looked_at(chen, 375, "norms")
    finally:
        server.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_department_opens_a_dismissal_choosing_the_ground_by_its_label(
        chromium_browser: Browser, tmp_path: Path, width: int) -> None:
    db = str(tmp_path / "aksu.db")
    server = served(db, aksu, ["ma"])
    try:
        ma = person(chromium_browser, server.url, "ma", width)
        ma.goto("/open")
        form = ma.locator("form[action='/open']")
        form.locator("[name=kind]").select_option(label="解聘")
        form.locator("[name=subject]").select_option(label="田老师（tian）")
        form.locator("[name=class]").select_option(label="机电1班")
        form.locator("[name=ground]").select_option(label="触犯法律受到处罚者")
        form.locator("[name=note]").fill("经查属实")
        looked_at(ma, width, "open-dismissal")
        with ma.expect_navigation():
            form.locator("[type=submit]").click()
        ref = ma.url.rsplit("/", 1)[1]
        shown = json.loads(cli_ok(db, "--json", "show", ref))
        assert (shown["kind"], shown["subject"], shown["data"]["ground"]) == (
            "dismissal", "tian", "legal_punishment")
        looked_at(ma, width, "open-dismissal-case")
    finally:
        server.close()
