"""The figures' drawings (web/charts.py) from the door's numbers: the allowance per unit and
month adds up to the month's sheet, every text is escaped, the SVG is well-formed XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web import charts
from suzhou_year import PERIOD, make_year


@pytest.fixture(scope="module")
def year(tmp_path_factory: Any) -> Iterator[WorkflowApp]:
    app = make_year(open_app(parse_location(str(tmp_path_factory.mktemp("y") / "s.db")),
                             create=True))
    yield app
    app.close()


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_allowance_figure_holds_each_units_month_total(year: WorkflowApp) -> None:
    months = ["2026-10", "2026-11"]
    figures = year.reads.allowance_figures(months)
    for month in months:
        shown = sum(u["totals"][month] for u in figures["units"])
        assert shown == pytest.approx(year.reads.allowance(month)["total"])
    svg = str(charts.allowance(figures, "各单位每月津贴合计"))
    parsed(svg)
    assert "计算机学院（cs）" in svg and "1560.00" in svg and "2026-11" in svg


def test_a_school_heads_allowance_figure_holds_only_their_school(year: WorkflowApp) -> None:
    figures = year.reads.allowance_figures(["2026-10"], reader="m1")
    assert [u["name"] for u in figures["units"]] == ["机电学院（me）"]


def test_the_results_figures_count_every_result_and_the_places(year: WorkflowApp) -> None:
    figures = year.reads.result_figures(PERIOD)
    assert sum(sum(u["counts"].values()) for u in figures["distribution"]) == 7
    assert figures["quota"] == {"grade": "优秀", "places": 1, "taken": 1, "roster": 7,
                                "share": 0.15, "rounding": "floor"}
    for drawn in (charts.grades(figures, "未评", "等级"), charts.indicators(figures, "指标"),
                  charts.gauge(figures["quota"], "名额")):
        parsed(str(drawn))
    mine = year.reads.result_figures(PERIOD, reader="s1")
    assert [u["name"] for u in mine["distribution"]] == ["计算机学院"]


def test_every_text_in_a_figure_is_escaped() -> None:
    hostile = {"grades": ["<b>优秀</b>"], "distribution": [
        {"unit": "x", "name": "</svg><script>alert(1)</script>", "counts": {"<b>优秀</b>": 2}}]}
    svg = str(charts.grades(hostile, "&未评", "<title>"))
    parsed(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
