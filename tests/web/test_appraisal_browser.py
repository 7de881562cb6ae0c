"""Appraisal and its 公示 in a real browser (Debian's Chromium through Playwright) against the
served app, at 1280 and 375 px, no sideways scroll, a screenshot of each page kept:

- Guilin (第七条): the college opens 陈晓明's appraisal from the page, he writes his
  self-summary, the 南宁 site head scores indicators 1-5 (previewing the total and grade
  first) and signs, the college scores indicator 6 and signs, a second officer files it.
- Suzhou (第十条): a published result under 公示; a colleague objects from the public list
  (which names no objector), the 继续教育处 sees who objected and upholds it from the page,
  which sends the appraisal back to scoring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from appraisalrun import GUILIN_SITE, guilin_appointed, suzhou_published, suzhou_store
from pagerun import password
from webrun import (SHOTS, Served, chromium, chromium_browser,  # noqa: F401 (fixtures)
                    signed_in)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page  # noqa: E402

WIDTHS = (1280, 375)


def person(browser: Browser, url: str, login: str, width: int = 1280) -> Page:
    page = signed_in(browser, url, login, width, password(login))
    assert page.url == url + "/", (login, page.url)
    return page


def looked_at(page: Page, name: str, width: int, *shown: str) -> None:
    """The page fits `width` without sideways scroll, shows `shown`, and is kept as a PNG."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (page.url, name)
    text = page.inner_text("main")
    for words in shown:
        assert words in text, (name, words, text[:1500])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"appraisal-{name}-{width}.png"), full_page=True)


def at_widths(browser: Browser, url: str, login: str, path: str, name: str,
              *shown: str) -> None:
    for width in WIDTHS:
        page = person(browser, url, login, width)
        page.goto(path)
        looked_at(page, name, width, *shown)
        page.context.close()


@pytest.fixture
def guilin_site(tmp_path: Path) -> Iterator[str]:
    db = str(tmp_path / "guilin.db")
    guilin_appointed(db).close()
    served = Served(db)
    yield served.url
    served.close()


@pytest.fixture
def suzhou_site(tmp_path: Path) -> Iterator[str]:
    db = str(tmp_path / "suzhou.db")
    app = suzhou_store(db)
    suzhou_published(app)
    app.close()
    served = Served(db)
    yield served.url
    served.close()


def sign(page: Page, comment: str) -> None:
    page.fill("form[action$='/approve'] textarea[name=comment]", comment)
    with page.expect_navigation():
        page.click("form[action$='/approve'] button[type=submit]")


def test_a_guilin_appraisal_scored_and_signed_by_the_site_head_and_the_college(
        chromium_browser: Browser, guilin_site: str) -> None:
    url = guilin_site
    college = person(chromium_browser, url, "li")
    college.goto("/appraisals")
    college.fill("input[name=period]", "2026-2027-1")
    college.check("input[name=advisors][value=chen]")
    with college.expect_navigation():
        college.click("form[action='/appraisals'] button[type=submit]")
    assert college.url.endswith("/appraisals?period=2026-2027-1")
    looked_at(college, "opened", 1280, "A-1", "陈晓明")

    advisor = person(chromium_browser, url, "chen")
    advisor.goto("/cases/A-1")
    advisor.fill("textarea[name=summary]", "本学期督促学生按时注册，及时传达考试通知。")
    with advisor.expect_navigation():
        advisor.click("form[action='/cases/A-1/summary'] button[type=submit]")
    assert advisor.url.endswith("/cases/A-1")
    looked_at(advisor, "summary", 1280, "本学期督促学生按时注册")

    site = person(chromium_browser, url, "zhang")
    site.goto("/cases/A-1")
    for key, value in GUILIN_SITE.items():
        site.fill(f"input[name={key}]", value)
    assert site.locator("input[name=college_evaluation]").count() == 0  # the college's, not here
    with site.expect_navigation():
        site.click("button[formaction='/cases/A-1/scores/preview']")
    looked_at(site, "preview", 1280, "预览", "76", "良好", "坚持正确的政治方向", "20")
    with site.expect_navigation():
        site.click("form.scoring button[type=submit]:not([formaction])")
    assert site.url.endswith("/cases/A-1")
    sign(site, "南宁教学点评分完毕")
    looked_at(site, "site-signed", 1280, "张建国")

    college.goto("/cases/A-1")
    looked_at(college, "college-form", 1280, "根据班主任工作表现进行综合评价", "76")
    college.fill("input[name=college_evaluation]", "12")
    with college.expect_navigation():
        college.click("form.scoring button[type=submit]:not([formaction])")
    looked_at(college, "college-scored", 1280, "88", "优秀")
    sign(college, "学院评价完成")

    archive = person(chromium_browser, url, "wang")
    archive.goto("/cases/A-1")
    sign(archive, "归档")
    looked_at(archive, "published", 1280, "已公布", "优秀", "88", "张建国", "李志强", "王海燕")
    at_widths(chromium_browser, url, "li", "/cases/A-1", "published-case", "优秀", "88")
    at_widths(chromium_browser, url, "li", "/appraisals?period=2026-2027-1", "list",
              "陈晓明")


def test_a_guilin_scoring_form_fits_a_phone(chromium_browser: Browser,
                                            guilin_site: str) -> None:
    college = person(chromium_browser, guilin_site, "li")
    college.goto("/appraisals")
    college.fill("input[name=period]", "2026-2027-1")
    college.check("input[name=all]")
    with college.expect_navigation():
        college.click("form[action='/appraisals'] button[type=submit]")
    at_widths(chromium_browser, guilin_site, "zhang", "/cases/A-1", "scoring-form",
              "坚持正确的政治方向", "认定一票否决")


def test_a_suzhou_objection_upheld_by_the_office_from_the_announcement(
        chromium_browser: Browser, suzhou_site: str) -> None:
    url = suzhou_site
    at_widths(chromium_browser, url, "stranger", "/announcements?period=2026-2027", "public",
              "郑班主任", "软件1班", "计算机学院", "86.5", "合格")
    peer = person(chromium_browser, url, "peer")
    peer.goto("/announcements?period=2026-2027")
    peer.fill("form[action='/cases/A-1/objections'] textarea[name=reason]",
              "考勤分数与会议签到记录不符")
    with peer.expect_navigation():
        peer.click("form[action='/cases/A-1/objections'] button[type=submit]")
    looked_at(peer, "objected", 1280, "您的异议已提交")
    assert "冯老师" not in peer.inner_text("main")  # the public list names no objector

    other = person(chromium_browser, url, "stranger")
    other.goto("/announcements?period=2026-2027")
    assert "冯老师" not in other.inner_text("main") and "考勤分数" not in other.inner_text("main")

    at_widths(chromium_browser, url, "o1", "/announcements?period=2026-2027", "office",
              "冯老师", "考勤分数与会议签到记录不符", "异议成立")
    office = person(chromium_browser, url, "o1")
    office.goto("/announcements?period=2026-2027")
    office.fill("form.resolve textarea[name=comment]", "经核实考勤记录有误，退回重新评分")
    with office.expect_navigation():
        office.click("form.resolve button[value=upheld]")
    assert office.url.endswith("/cases/A-1")
    looked_at(office, "upheld", 1280, "办理中", "学院对班主任进行考核", "待办理")
    office.goto("/announcements?period=2026-2027")
    looked_at(office, "after", 1280, "本期没有正在公示的考核结果")
