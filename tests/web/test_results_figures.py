"""The results page's figures in a real Chromium over a real `serve`: the grades per unit, the
indicators' averages and the 优秀 places gauge, drawn as SVG by the server (no script), fitting
1280 and 375 px; screenshots kept in $BZR_SCREENSHOTS as results-figures-*.png."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from bzr_workflow.application import open_app, parse_location
from suzhou_year import PERIOD, make_year
from webrun import CHROMIUM_ARGS, PASSWORD, Served, chromium  # noqa: F401 (a fixture)

SHOTS = Path(os.environ.get("BZR_SCREENSHOTS", "/tmp/bzr-workflow-screenshots"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = str(tmp_path_factory.mktemp("figures") / "store.db")
    make_year(open_app(parse_location(db), create=True), lambda login: PASSWORD).close()
    server = Served(db)
    yield server.url
    server.close()


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:  # noqa: F811 - the fixture above
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_office_sees_the_periods_figures_drawn_by_the_server(
        browser: Browser, served: str, width: int) -> None:
    context = browser.new_context(base_url=served, locale="zh-CN",
                                  viewport={"width": width, "height": 700},
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=user]", "o1")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login'] [type=submit]")
    page.goto(f"/results?period={PERIOD}")
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    grades, indicators, gauge = (charts.nth(i).inner_html() for i in range(3))
    assert "计算机学院" in grades and "机电学院" in grades and "优秀" in grades
    assert "考勤" in indicators and "78 / 100" in indicators
    assert "1 / 1" in gauge and "15 % × 7" in gauge
    assert page.locator("script").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = charts.nth(0).bounding_box()
    assert box is not None and box["width"] <= width
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"results-figures-{width}.png"), full_page=True)
    context.close()
