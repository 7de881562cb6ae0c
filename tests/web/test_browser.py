"""The web front door in a real browser (Debian's Chromium through Playwright) against the served
app: a Guilin recruitment from application to publication, refusals, CSRF, lockout, sign-out, 375 px."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from webrun import (PASSWORD, SHOTS, Served, chromium, chromium_browser,  # noqa: F401 (fixtures)
                    cli_ok, guilin_served, http, issue_token, signed_in)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Page  # noqa: E402



@pytest.fixture
def site(guilin_served: tuple[Served, str]) -> tuple[str, str]:
    """(the served URL, the store behind it)."""
    served, db = guilin_served
    return served.url, db


def person(browser: Browser, url: str, login: str, password: str = PASSWORD,
           width: int = 1280) -> Page:
    """A new browser context (its own cookies) signed in as `login` through the sign-in form."""
    page = signed_in(browser, url, login, width, password)  # a local server answers in ms
    assert page.url == url + "/", (login, page.url, page.content()[:2000])
    return page


def history(db: str, ref: str) -> list[tuple[str, str]]:
    entries = json.loads(cli_ok(db, "--json", "history", ref, actor=None))
    return [(e["actor"], e["action"]) for e in entries]


def apply(url: str, db: str, candidate: str, klass: str) -> str:
    """The candidate applies through the API with a personal token."""
    status, case = http("POST", url + "/api/v1/recruitment", {"class": klass, "note": "申请担任班主任"},
                        {"Authorization": f"Bearer {issue_token(db, candidate)}"})
    assert status == 201, case
    return str(case["id"])


def sign_off(page: Page, ref: str, comment: str) -> None:
    """Opens the case from the inbox and signs it off with a comment on its page."""
    page.goto("/")
    with page.expect_navigation():
        page.click(f"a[href='/cases/{ref}']")
    form = page.locator(f"form[action='/cases/{ref}/approve']")
    form.locator("[name=comment]").fill(comment)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    assert page.url.endswith(f"/cases/{ref}"), page.url


def csrf_of(page: Page) -> str:
    value = page.locator("input[name=csrf]").first.get_attribute("value")
    assert value
    return value


def no_overflow(page: Page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (page.url, scroll)


def shoot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


# -- the whole way ---------------------------------------------------------------------------

def test_a_site_head_and_college_officers_take_a_recruitment_to_publication(
        chromium_browser: Browser, site: tuple[str, str]) -> None:
    url, db = site
    ref = apply(url, db, "chen", "kj1")
    head = person(chromium_browser, url, "zhang")
    officer = person(chromium_browser, url, "li")
    assert f"/cases/{ref}" not in officer.content()  # not the college's turn yet

    sign_off(head, ref, "同意推荐")
    assert "同意推荐" in head.content()
    shoot(head, "case-1280.png")
    head.goto("/")
    assert f"/cases/{ref}" not in head.content()  # signed: no longer awaiting the head

    officer.reload()
    sign_off(officer, ref, "同意聘任")
    # 公布 is a clerical step under Guilin's policy (a one-person office publishes what it
    # approved), so the officer is offered it; here another officer publishes it
    assert officer.locator(f"form[action='/cases/{ref}/approve']").count() == 1
    with head.expect_navigation():
        head.click("form[action='/logout'] [type=submit]")
    head.context.close()
    announcer = person(chromium_browser, url, "wang")
    sign_off(announcer, ref, "已向班级公布")

    assert history(db, ref) == [("chen", "applied"), ("zhang", "recommended"),
                                ("li", "approved"), ("wang", "published")]
    shown = json.loads(cli_ok(db, "--json", "show", ref, actor=None))
    assert shown["state"] == "published"
    assert "已向班级公布" in announcer.content()
    for page in (officer, announcer):
        page.context.close()


# -- refusals --------------------------------------------------------------------------------

@pytest.mark.parametrize("login", ["huang", "chen"], ids=["other-site-head", "subject"])
def test_a_site_head_of_another_unit_and_the_subject_are_offered_nothing_and_refused(
        chromium_browser: Browser, site: tuple[str, str], login: str) -> None:
    url, db = site
    ref = apply(url, db, "chen", "kj2")
    page = person(chromium_browser, url, login)
    page.goto(f"/cases/{ref}")
    assert page.locator(f"form[action='/cases/{ref}/approve']").count() == 0
    forced = page.request.post(f"{url}/cases/{ref}/approve", max_redirects=0,
                               form={"comment": "我来签", "csrf": csrf_of(page)})
    assert forced.status in (403, 422), (forced.status, forced.text()[:500])
    assert history(db, ref) == [("chen", "applied")]
    cli_ok(db, "withdraw", ref, "--reason", "下一轮", actor="chen")
    page.context.close()


@pytest.mark.parametrize("token", ["forged", ""], ids=["forged", "missing"])
def test_a_forged_or_missing_csrf_token_is_refused_and_writes_nothing(
        chromium_browser: Browser, site: tuple[str, str], token: str) -> None:
    url, db = site
    ref = apply(url, db, "liu", "kj2")
    page = person(chromium_browser, url, "zhang")
    page.goto(f"/cases/{ref}")
    assert page.locator(f"form[action='/cases/{ref}/approve']").count() == 1
    form = {"comment": "伪造", **({"csrf": token} if token else {})}
    for action in ("approve", "veto", "return"):
        body = form if action == "approve" else {"reason": "伪造", **form}
        refused = page.request.post(f"{url}/cases/{ref}/{action}", form=body, max_redirects=0)
        assert refused.status == 401, (action, refused.status, refused.text()[:500])
    api = page.request.post(f"{url}/api/v1/cases/{ref}/approve", data={"comment": "伪造"},
                            headers={"X-CSRF-Token": token} if token else {})
    assert api.status == 401 and api.json()["code"] == 3
    assert history(db, ref) == [("liu", "applied")]
    cli_ok(db, "withdraw", ref, "--reason", "下一轮", actor="liu")
    page.context.close()


# -- signing in and out ----------------------------------------------------------------------

def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password(
        chromium_browser: Browser, site: tuple[str, str]) -> None:
    url, _ = site
    context = chromium_browser.new_context(base_url=url, locale="zh-CN")
    page = context.new_page()

    def attempt(password: str) -> int:
        page.goto("/login")
        page.fill("input[name=user]", "boss")
        page.fill("input[name=password]", password)
        with page.expect_response(lambda r: r.url == url + "/login"
                                  and r.request.method == "POST") as answer:
            page.click("form[action='/login'] [type=submit]")
        return answer.value.status

    assert [attempt(f"wrong-{n}") for n in range(5)] == [401] * 5
    assert attempt(PASSWORD) == 423
    assert page.url == url + "/login"
    assert page.locator("[role=alert]").count() == 1
    assert not [c for c in context.cookies() if c["name"] == "bzr_session"]
    context.close()


def test_sign_out_ends_the_session_so_the_old_cookie_no_longer_works(
        chromium_browser: Browser, site: tuple[str, str]) -> None:
    url, _ = site
    page = person(chromium_browser, url, "huang")
    cookie = [c for c in page.context.cookies() if c["name"] == "bzr_session"]
    assert len(cookie) == 1 and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Lax"
    with page.expect_navigation():
        page.click("form[action='/logout'] [type=submit]")
    assert page.url == url + "/login"

    replay = chromium_browser.new_context(base_url=url)
    replay.add_cookies(cookie)
    again = replay.new_page()
    again.goto("/")
    assert again.url == url + "/login"
    me = replay.request.get(url + "/api/v1/me")
    assert me.status == 401 and me.json()["code"] == 3
    page.context.close()
    replay.close()


# -- a phone ---------------------------------------------------------------------------------

def test_pages_fit_a_375_px_phone_screen(chromium_browser: Browser,
                                         site: tuple[str, str]) -> None:
    url, db = site
    ref = apply(url, db, "liu", "tm1")
    page = person(chromium_browser, url, "huang", width=375)
    no_overflow(page, 375)
    page.goto(f"/cases/{ref}")
    no_overflow(page, 375)
    shoot(page, "case-375.png")
    page.context.close()
    login = chromium_browser.new_context(base_url=url, viewport={"width": 375, "height": 740}).new_page()
    login.goto("/login")
    no_overflow(login, 375)
    shoot(login, "login-375.png")
    login.context.close()


def test_the_login_page_is_in_chinese_by_default_and_english_on_request(
        chromium_browser: Browser, site: tuple[str, str]) -> None:
    url, _ = site
    context: BrowserContext = chromium_browser.new_context(base_url=url, locale="en-US")
    page = context.new_page()
    page.goto("/login?lang=zh-CN")
    assert "登录" in page.content()
    page.goto("/login?lang=en")
    assert "Sign in" in page.content()
    context.close()
