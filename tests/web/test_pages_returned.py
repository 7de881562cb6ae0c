"""The web inbox shows why a returned case came back.

Guilin 第五条: "班主任选聘工作由个人报名、推荐单位（校外教学点、助学单位）审核…" — the 推荐单位 returns an
application to its applicant, who reads the reason in their inbox."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from bzr_workflow.application import WorkflowApp

Browser = Callable[[str | None], TestClient]


def test_the_inbox_page_shows_the_reason_a_case_was_returned(store: WorkflowApp,
                                                             browser: Browser) -> None:
    ref = str(store.cases.recruit_apply("kj1", None, "2026-12-01", "我愿意", "chen")["id"])
    store.cases.return_case(ref, "zhang", "请补充学生管理工作经历")
    page = browser("chen").get("/").text
    assert f'href="/cases/{ref}"' in page
    assert "退回理由" in page and "请补充学生管理工作经历" in page
