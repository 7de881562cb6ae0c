"""The results page ranks a period's candidates for the office deciding its 审定, with the places
of Suzhou's grade quota (001 第十条 二、2: "优秀班主任的比例为15%")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from pagerun import password, sign_in

KEYS = ["political_morality", "ideological_work", "daily_management", "study_culture",
        "attendance"]


@pytest.fixture
def suzhou(tmp_path: Any) -> Iterator[WorkflowApp]:
    """Seven advisors (15 % of 7 = 1.05: one 优秀 place); a01 scored above a00, a00 approved."""
    app = open_app(parse_location(str(tmp_path / "store.db")), create=True)
    app.org.init("suzhou-gaobo-2023", "admin", "", None)
    app.org.add_unit("cs", "计算机学院", "", "admin")
    for login, roles in (("open1", ["school@cs"]), ("s1", ["school@cs"]), ("s2", ["school@cs"]),
                         ("o1", ["ce_office"])):
        app.org.add_user(login, login, roles, "admin")
    app.org.add_class("c1", "软件1班", "cs", 45, "专接本", False, "admin")
    advisors = [f"a{n:02d}" for n in range(7)]
    for login in advisors:
        app.org.add_user(login, login, [], "admin")
    cases = app.appraisals.open_appraisals("2026-2027", [(a, "c1", "cs") for a in advisors], "open1",
                                           True)
    for case, value in zip(cases, (92, 97)):
        ref = case["id"]
        app.appraisals.submit_summary(ref, case["subject"], "书面总结")
        app.appraisals.score(ref, "s1", [f"{k}={value}" for k in KEYS])
        app.cases.approve(ref, "s1", "")
        app.cases.approve(ref, "s2", "")
    app.cases.approve(cases[0]["id"], "o1", "")
    for login in ("o1", "a00"):
        app.credentials.set_password(login, password(login), "admin")
    yield app
    app.close()


@pytest.fixture
def browser(suzhou: WorkflowApp) -> Iterator[Callable[[str], TestClient]]:
    web = create_app(suzhou.location, suzhou)
    opened: list[TestClient] = []

    def open_as(login: str) -> TestClient:
        client = TestClient(web, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return sign_in(client, login)
    yield open_as
    for client in opened:
        client.__exit__(None, None, None)


def test_the_office_sees_the_candidates_ranked_with_the_places_taken(
        browser: Callable[[str], TestClient]) -> None:
    page = browser("o1").get("/results", params={"period": "2026-2027"}).text
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    first, second = rows[0], rows[1]
    assert ">1<" in first and "A-2" in first and "97" in first and "✓" not in first
    # places by rank (issue 22): 97 waits at 审定 above 92, so 92 went on as 合格, placeless
    assert ">2<" in second and "A-1" in second and "92" in second and "✓" not in second
    assert "合格" in second
    assert "优秀 名额已占: 0 / 1 (2026-2027, 15 % × 7, floor)" in page


def test_an_advisor_may_not_read_the_ranking(browser: Callable[[str], TestClient]) -> None:
    page = browser("a00").get("/results", params={"period": "2026-2027"})
    assert "A-2" not in page.text and page.status_code == 403


def test_a_school_head_of_another_unit_sees_none_of_this_units_results(
        suzhou: WorkflowApp, browser: Callable[[str], TestClient]) -> None:
    """Issue 20 item 6: /results keeps to what the reader may read (it showed every unit's
    totals and grades to any head who holds a role of the appraisal)."""
    suzhou.org.add_unit("ee", "电子学院", "", "admin")
    suzhou.org.add_user("h2", "h2", ["school@ee"], "admin")
    suzhou.credentials.set_password("h2", password("h2"), "admin")
    page = browser("h2").get("/results", params={"period": "2026-2027"})
    assert page.status_code == 200
    assert "A-1" not in page.text and "A-2" not in page.text and "a00" not in page.text
    assert [r["case"] for r in suzhou.reads.ranked_results("2026-2027", reader="h2")[
        "ranked"]] == []
    assert suzhou.reads.ranked_results("2026-2027", reader="h2")["grade_quota"]["taken"] == []
    assert len(suzhou.reads.ranked_results("2026-2027", reader="s1")["ranked"]) == 7
