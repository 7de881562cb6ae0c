"""The advisor's page (/advisors/{login}) in a real browser on the demo's store: the record by
name at 1280 px and at 375 px without sideways scroll, saved under $BZR_SCREENSHOTS."""

from __future__ import annotations

from playwright.sync_api import Browser

from test_guide_screens import SHOTS, chromium_browser, demo_served, person  # noqa: F401
from webrun import chromium  # noqa: F401 (fixture)


def test_the_advisor_page_fits_a_desk_and_a_phone(demo_served: tuple[str, str],
                                                  chromium_browser: Browser) -> None:
    url, _db = demo_served
    for width in (1280, 375):
        page = person(chromium_browser, url, "li.dean", width)
        page.goto("/advisors/chen")
        text = page.inner_text("body")
        for shown in ("陈晓明", "张建国", "王海燕"):
            assert shown in text, (shown, text[:2000])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"advisor-record-{width}.png"), full_page=True)
        page.context.close()
