"""The pages the Chinese user guides (docs/guide/) show, as each role sees them on the demo's
store in a real browser: sign-in, 待办, a case page before and after signing, 退回 and
re-submitting, 我的 and an appraisal's result, 申请, 考核结果, 审计查询 and 完整性, at 1280 px,
and a case at 375 px. Each page is checked for what the guide says is on it, then saved under
$BZR_SCREENSHOTS as guide-*.png (docs/img/ holds them quantised)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest

from webrun import (PASSWORD, SHOTS, Served, chromium, chromium_browser,  # noqa: F401 (fixtures)
                    cli_ok, signed_in)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page  # noqa: E402

DEMO_PEOPLE = ["admin", "zhang.nn", "huang.lz", "li.dean", "wang.office", "chen", "liu", "zhao",
               "sun", "zhou"]


def this_semester(today: date) -> str:
    """The semester under way (a year not set in the calendar: term 1 September to February)."""
    if today.month >= 9:
        return f"{today.year}-{today.year + 1}-1"
    if today.month <= 2:
        return f"{today.year - 1}-{today.year}-1"
    return f"{today.year - 1}-{today.year}-2"


# 陈晓明 is appointed today (the engine's day is China's), so appraised in this semester
PERIOD = this_semester(datetime.now(timezone(timedelta(hours=8))).date())
SITE_SCORES = ["political=18", "guidance=14", "contact=13", "teaching_notices=14", "integrity=19"]


@pytest.fixture(scope="module")
def demo_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo's store (`bzr-workflow demo`), everybody's password PASSWORD, an auditor (吴敏),
    and 陈晓明's appraisal of the period signed through: (the served URL, the store)."""
    db = str(tmp_path_factory.mktemp("guide") / "demo.db")
    cli_ok(db, "demo", actor=None)
    cli_ok(db, "user", "add", "wu.audit", "--name", "吴敏", "--role", "auditor")
    for login in [*DEMO_PEOPLE, "wu.audit"]:
        cli_ok(db, "user", "passwd", login, stdin=PASSWORD + "\n")
    opened = json.loads(cli_ok(db, "--json", "appraisal", "open", "--period", PERIOD, "--all",
                               "--early", actor="li.dean"))
    appraisals = opened if isinstance(opened, list) else opened["cases"]
    ref = next(c["id"] for c in appraisals if c["subject"] == "chen")
    cli_ok(db, "appraisal", "score", ref, *sum((["--item", s] for s in SITE_SCORES), []),
           actor="zhang.nn")
    cli_ok(db, "approve", ref, "--comment", "工作认真负责", actor="zhang.nn")
    cli_ok(db, "appraisal", "score", ref, "--item", "college_evaluation=13", actor="li.dean")
    cli_ok(db, "approve", ref, "--comment", "同意", actor="li.dean")
    cli_ok(db, "approve", ref, "--comment", "已归档", actor="wang.office")
    served = Served(db)
    yield served.url, db
    served.close()


def person(browser: Browser, url: str, login: str, width: int = 1280) -> Page:
    page = signed_in(browser, url, login, width, height=480)
    assert page.url == url + "/", (login, page.url)
    return page


def shoot(page: Page, name: str, *shown: str) -> None:
    """Saves the page as guide-NAME.png once it shows every text in `shown`."""
    text = page.inner_text("body")
    for expected in shown:
        assert expected in text, (name, expected, text[:3000])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"guide-{name}.png"), full_page=True)


def named(page: Page, ref: str, *codes: str) -> None:
    """The case's row shows names: none of `codes` (a login, a class or unit code) alone."""
    row = page.locator("table.cases tr", has=page.locator(f"a[href='/cases/{ref}']"))
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert not [c for c in cells for code in codes if c == code or c.endswith(code)
                and c.isascii()], cells


def pending_of(db: str, subject: str) -> str:
    cases = json.loads(cli_ok(db, "--json", "cases", "--state", "open", actor=None))
    return next(c["id"] for c in cases
                if c["subject"] == subject and c["kind"] == "recruitment")


def act(page: Page, ref: str, action: str, field: str, text: str) -> None:
    form = page.locator(f"form[action='/cases/{ref}/{action}']")
    form.locator(f"[name={field}]").fill(text)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    assert page.url.endswith(f"/cases/{ref}"), page.url


def test_the_guides_pages_are_captured_as_each_role_sees_them(
        chromium_browser: Browser, demo_served: tuple[str, str]) -> None:
    url, db = demo_served
    login = chromium_browser.new_context(base_url=url, locale="zh-CN",
                                         viewport={"width": 1280, "height": 480}).new_page()
    login.goto("/login")
    shoot(login, "login", "登录")
    login.context.close()

    # 教学点负责人: 张建国 finds 周杰's application in 待办 and recommends it
    ref = pending_of(db, "zhou")
    head = person(chromium_browser, url, "zhang.nn")
    shoot(head, "inbox", "张建国", ref, "推荐单位审核", "周杰", "电子商务", "南宁校外教学点")
    named(head, ref, "zhou", "-dz", "nanning")
    phone = person(chromium_browser, url, "zhang.nn", width=375)
    phone.goto(f"/cases/{ref}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(phone, "case-375", "周杰", "推荐单位审核")
    phone.context.close()
    with head.expect_navigation():
        head.click(f"a[href='/cases/{ref}']")
    shoot(head, "case-pending", "周杰", "推荐单位审核", "同意", "退回", "否决")
    act(head, ref, "approve", "comment", "同意推荐")
    shoot(head, "case-signed", "同意推荐", "张建国")

    # 教务/学工 office: 李志强 approves, 王海燕 publishes; the office reads the period's results
    office = person(chromium_browser, url, "li.dean")
    shoot(office, "office-inbox", "李志强", ref)
    office.goto(f"/cases/{ref}")
    act(office, ref, "approve", "comment", "同意聘任")
    publisher = person(chromium_browser, url, "wang.office")
    publisher.goto(f"/cases/{ref}")
    act(publisher, ref, "approve", "comment", "已向班级公布")
    shoot(publisher, "case-published", "已向班级公布", "王海燕", "李志强", "张建国")
    office.goto(f"/results?period={PERIOD}")
    shoot(office, "results", "A-1", "优秀", "陈晓明")  # 91 points
    assert "chen" not in office.inner_text("table.results")

    # 班主任: 周杰 sees the result in 我的; 孙婷 applies again, 黄丽华 returns it, she re-submits
    advisor = person(chromium_browser, url, "zhou")
    advisor.goto("/mine")
    shoot(advisor, "mine", ref, "周杰", "电子商务", "南宁校外教学点")
    named(advisor, ref, "zhou", "-dz", "nanning")
    appraised = person(chromium_browser, url, "chen")
    appraised.goto("/mine")
    with appraised.expect_navigation():
        appraised.click("a[href='/cases/A-1']")
    shoot(appraised, "advisor-appraisal", "陈晓明", "优秀", "91")
    applicant = person(chromium_browser, url, "sun")
    applicant.goto("/apply")
    klass = next(v for v in (o.get_attribute("value") or "" for o in
                             applicant.locator("select[name=class] option").all())
                 if v.endswith("-jx"))  # 孙婷 withdrew from it in the demo: no advisor yet
    applicant.select_option("select[name=class]", klass)
    applicant.fill("[name=note]", "本人从事学生管理工作五年，申请担任班主任。")
    shoot(applicant, "apply", "班级", "申请说明")
    with applicant.expect_navigation():
        applicant.click("form[action='/apply'] [type=submit]")
    assert "/cases/" in applicant.url, applicant.inner_text("body")[:2000]
    again = applicant.url.rsplit("/", 1)[1]
    site_head = "huang.lz"  # 柳州助学单位's head
    returner = person(chromium_browser, url, site_head)
    returner.goto(f"/cases/{again}")
    act(returner, again, "return", "reason", "请补充学生管理工作经历证明")
    applicant.goto("/")
    shoot(applicant, "advisor-returned", again, "请补充学生管理工作经历证明")
    applicant.goto(f"/cases/{again}")
    shoot(applicant, "advisor-case-returned", "请补充学生管理工作经历证明")

    # 审计: 吴敏 searches the record of the case and checks the chain
    auditor = person(chromium_browser, url, "wu.audit")
    auditor.goto(f"/audit?case={ref}")
    shoot(auditor, "audit", ref, "张建国", "周杰")  # names, not zhang.nn and zhou
    assert "zhang.nn" not in auditor.inner_text("table.history")
    auditor.goto("/integrity")
    with auditor.expect_navigation():
        auditor.click("form[action='/integrity/verify'] [type=submit]")
    shoot(auditor, "integrity", "完整性")
    for page in (head, office, publisher, advisor, appraised, applicant, returner, auditor):
        page.context.close()
