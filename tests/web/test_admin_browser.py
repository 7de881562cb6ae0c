"""An administrator adds a class and a person from the pages in a real browser (Debian's Chromium through Playwright, at 1280 and 375 px, no sideways scroll), and the person then appears by name: in the people list and, once they apply for the class, in a site head's inbox. Screenshots are kept under $BZR_SCREENSHOTS as admin-*.png."""

from __future__ import annotations

import os

import pytest

from webrun import (PASSWORD, SHOTS, Served, chromium, chromium_browser,  # noqa: F401 (fixtures)
                    cli_ok, guilin_served, set_password, signed_in)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page  # noqa: E402


def person(browser: Browser, url: str, login: str, width: int = 1280) -> Page:
    page = signed_in(browser, url, login, width, timeout=15_000)
    assert page.url == url + "/", (login, page.url)
    return page


def shoot(page: Page, name: str, *shown: str) -> None:
    """Saves the page once it shows every text in `shown` and fits its width."""
    text = page.inner_text("body")
    for expected in shown:
        assert expected in text, (name, expected, text[:3000])
    width = page.viewport_size["width"] if page.viewport_size else 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"admin-{name}.png"), full_page=True)


def submit(page: Page, form: str) -> None:
    with page.expect_navigation():
        page.locator(form).locator("[type=submit]").click()


@pytest.mark.parametrize("width", [1280, 375])
def test_an_administrator_adds_a_class_and_a_person_who_then_appears_by_name(
        chromium_browser: Browser, guilin_served: tuple[Served, str], width: int) -> None:
    served, db = guilin_served
    url, n = served.url, width  # each width adds its own class and person
    set_password(db, "admin")
    admin = person(chromium_browser, url, "admin", width)

    admin.goto("/admin/classes")
    form = "form[action='/admin/classes']"
    admin.fill(f"{form} [name=code]", f"dz{n}")
    admin.fill(f"{form} [name=name]", f"电子商务{n}班")
    admin.select_option(f"{form} select[name=unit]", "nanning")
    admin.fill(f"{form} [name=students]", "48")
    admin.fill(f"{form} [name=level]", "专升本")
    submit(admin, form)
    assert admin.url == url + "/admin/classes", admin.inner_text("body")[:2000]
    shoot(admin, f"classes-{width}", f"电子商务{n}班", "南宁校外教学点")

    admin.goto("/admin/people")
    form = "form[action='/admin/people']"
    login = f"zhou{n}"
    admin.fill(f"{form} [name=login]", login)
    admin.fill(f"{form} [name=name]", f"周杰{n}")
    submit(admin, form)
    assert admin.url == url + f"/admin/people/{login}", admin.inner_text("body")[:2000]
    admin.select_option("form[action$='/grant'] select[name=grant]", "site_head@liuzhou")
    submit(admin, "form[action$='/grant']")
    shoot(admin, f"person-{width}", f"周杰{n}", "柳州助学单位")
    admin.fill("form[action$='/password'] [name=password]", PASSWORD)
    admin.fill("form[action$='/password'] [name=confirm]", PASSWORD)
    submit(admin, "form[action$='/password']")
    admin.goto("/admin/people")
    shoot(admin, f"people-{width}", f"周杰{n}", "张建国", "校外教学点负责人 · 南宁校外教学点")

    # the new person signs in with the password set for them, and applies for the new class
    newcomer = person(chromium_browser, url, login, width)
    assert f"周杰{n}" in newcomer.inner_text("header")
    newcomer.goto("/apply")
    newcomer.select_option("select[name=class]", f"dz{n}")
    newcomer.fill("[name=note]", "申请担任班主任。")
    with newcomer.expect_navigation():
        newcomer.click("form[action='/apply'] [type=submit]")
    ref = newcomer.url.rsplit("/", 1)[1]

    # the site head of 南宁 finds it in 待办, by the person's, the class's and the unit's names
    head = person(chromium_browser, url, "zhang", width)
    row = head.locator("table.cases tr", has=head.locator(f"a[href='/cases/{ref}']"))
    cells = row.locator("td").all_inner_texts()
    assert f"周杰{n}" in " ".join(cells) and f"电子商务{n}班" in " ".join(cells), cells
    assert login not in [c.strip() for c in cells], cells
    shoot(head, f"inbox-{width}", f"周杰{n}", f"电子商务{n}班", "南宁校外教学点")
    for page in (admin, newcomer, head):
        page.context.close()


def test_the_upload_page_and_policy_page_fit_a_phone(
        chromium_browser: Browser, guilin_served: tuple[Served, str]) -> None:
    served, db = guilin_served
    set_password(db, "admin")
    admin = person(chromium_browser, served.url, "admin", 375)
    admin.goto("/admin/import")
    shoot(admin, "import-375", "班级")
    admin.goto("/admin/policy?a=1&b=1")
    shoot(admin, "policy-375", "guilin-ut-ce-2024")
    admin.context.close()
