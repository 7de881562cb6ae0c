"""The web inbox shows why a returned case came back; a Hefei appraisal page shows the
advisor's title and the year's duties.

Guilin 第五条: "班主任选聘工作由个人报名、推荐单位（校外教学点、助学单位）审核…" — the 推荐单位 returns an
application to its applicant, who reads the reason in their inbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from pagerun import password, sign_in

Browser = Callable[[str | None], TestClient]


def test_the_inbox_page_shows_the_reason_a_case_was_returned(store: WorkflowApp,
                                                             browser: Browser) -> None:
    ref = str(store.cases.recruit_apply("kj1", None, "2026-12-01", "我愿意", "chen")["id"])
    store.cases.return_case(ref, "zhang", "请补充学生管理工作经历")
    page = browser("chen").get("/").text
    assert f'href="/cases/{ref}"' in page
    assert "退回理由" in page and "请补充学生管理工作经历" in page


def test_a_hefei_appraisal_page_shows_the_title_and_the_years_duties(tmp_path: Path) -> None:
    """合肥 二、工作职责: "三年级班导师工作职责 1．创新创业活动指导 2．考研指导 3．就业创业意识培养"."""
    app = open_app(parse_location(str(tmp_path / "hefei.db")), create=True)
    app.org.init("hfut-math", "admin", "", None)
    app.org.add_unit("math", "数学学院", "", "admin")
    app.org.add_user("dean", "dean", ["college"], "admin")
    app.org.add_user("wu", "吴老师", [], "admin")
    app.org.add_class("m3", "数学2023级1班", "math", 30, "", False, "admin", year_of_study=3)
    ref = str(app.cases.open_case("recruitment", "wu", "m3", None, "", "admin")["id"])
    app.cases.approve(ref, "dean", "")
    [case] = app.appraisals.open_appraisals("2026", [("wu", "m3", "math")], "dean", True)
    app.credentials.set_password("dean", password("dean"), "admin")
    with TestClient(create_app(app.location, app), follow_redirects=False) as client:
        page = sign_in(client, "dean").get(f"/cases/{case['id']}").text
    app.close()
    assert "班导师（3）" in page and "三年级班导师工作职责：创新创业活动指导、考研指导、就业创业意识培养" in page
