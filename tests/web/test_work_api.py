"""The API of awards, the allowance and opening any case (WEB.md "Every workflow"): the CLI's JSON,
201 for what opens a case, the reading rule before any other refusal."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pagerun import password

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from work_org import PERIOD, aksu, excellent


@pytest.fixture
def api(store: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(store.location, store), follow_redirects=False,
                    headers={"Accept-Language": "en"}) as client:
        yield client


@pytest.fixture
def aksu_api(tmp_path: Any) -> Iterator[tuple[TestClient, WorkflowApp]]:
    app = open_app(parse_location(str(tmp_path / "aksu.db")), create=True)
    aksu(app)
    for login in ("admin", "ma", "xue", "yuan", "tian", "zhuan"):
        app.credentials.set_password(login, password(login), "admin")
    with TestClient(create_app(app.location, app), follow_redirects=False,
                    headers={"Accept-Language": "en"}) as client:
        yield client, app
    app.close()


def session(api: TestClient, login: str) -> dict[str, str]:
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def refusal(answer: Any, status: int, code: int, says: str = "") -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code and "Traceback" not in answer.text and says in body["error"]


def nominated(api: TestClient, store: WorkflowApp) -> tuple[str, dict[str, str]]:
    excellent(store)
    headers = session(api, "zhang")
    answer = api.post("/api/v1/awards", json={"advisor": "chen", "period": PERIOD,
                                              "deeds": "带班认真负责"}, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], headers


def test_a_site_head_nominates_through_the_api_and_the_case_is_award_nominates(
        api: TestClient, store: WorkflowApp) -> None:
    ref, _ = nominated(api, store)
    case = store.reads.show(ref)
    assert (ref, case["kind"], case["subject"]) == ("W-1", "award", "chen")
    assert case["data"]["form"]["姓名"] == "陈晓明" and case["data"]["form"]["性别"] == "男"
    assert case["data"]["form"]["所在校外教学点"] == "南宁校外教学点"
    assert api.get(f"/api/v1/awards?period={PERIOD}").json() == \
        [dict(r) for r in store.reads.awards(PERIOD)]


def test_nominations_refused_answer_the_error_table(api: TestClient, store: WorkflowApp) -> None:
    ref, headers = nominated(api, store)
    again = api.post("/api/v1/awards", json={"advisor": "chen", "period": PERIOD},
                     headers=headers)
    refusal(again, 422, 1, "already nominated")
    refusal(api.post("/api/v1/awards", json={"advisor": "chen", "period": PERIOD,
                                             "actor": "wang"}, headers=headers), 400, 2)
    refusal(api.post("/api/v1/awards", json={"advisor": "nobody", "period": PERIOD},
                     headers=headers), 404, 2)
    refusal(api.post("/api/v1/awards", json={"advisor": "chen", "period": PERIOD}), 401, 3)


def test_the_form_downloads_as_docx_and_xlsx_with_its_fields(
        api: TestClient, store: WorkflowApp) -> None:
    from docx import Document
    from openpyxl import load_workbook

    ref, headers = nominated(api, store)
    api.post(f"/api/v1/cases/{ref}/approve", json={"comment": "同意推荐"}, headers=headers)
    docx = api.get(f"/api/v1/cases/{ref}/form.docx")
    assert docx.status_code == 200 and docx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = "\n".join(cell.text for table in Document(io.BytesIO(docx.content)).tables
                     for row in table.rows for cell in row.cells)
    assert "陈晓明" in text and "带班认真负责" in text and "同意推荐" in text and "张建国" in text
    xlsx = api.get(f"/api/v1/cases/{ref}/form.xlsx")
    cells = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(
        values_only=True) for c in row if c is not None]
    assert "陈晓明" in cells and "中共党员" in cells


def test_the_form_of_a_case_the_caller_may_not_read_is_refused_before_anything_else(
        api: TestClient, store: WorkflowApp) -> None:
    ref, _ = nominated(api, store)
    session(api, "huang")  # 柳州's head: not this case's
    for ending in ("docx", "xlsx", "pdf"):
        refusal(api.get(f"/api/v1/cases/{ref}/form.{ending}"), 403, 3, "may not read")
    assert api.get(f"/api/v1/awards?period={PERIOD}").json() == []
    refusal(api.get("/api/v1/awards"), 400, 2)
    refusal(api.get("/api/v1/awards?period=someday"), 400, 2)
    session(api, "li")
    refusal(api.get(f"/api/v1/cases/{ref}/form.pdf"), 400, 2)
    refusal(api.get("/api/v1/cases/W-99/form.docx"), 404, 2)
    refusal(api.get(f"/api/v1/cases/{ref}/form.docx?as_of=now"), 400, 2)


def test_the_allowance_is_the_clis_json_for_the_office_and_refused_to_an_advisor(
        aksu_api: tuple[TestClient, WorkflowApp]) -> None:
    api, app = aksu_api
    month = app.reads.appointments()[0]["start"][:7]
    session(api, "tian")
    refusal(api.get(f"/api/v1/allowance?month={month}"), 403, 3, "office")
    session(api, "xue")
    assert api.get(f"/api/v1/allowance?month={month}").json() == \
        dict(app.reads.allowance(month))
    refusal(api.get("/api/v1/allowance?month=2026-13"), 400, 2)
    refusal(api.get(f"/api/v1/allowance?month={month}&position=1"), 400, 2)


def test_a_department_opens_a_dismissal_with_its_ground_and_a_recruitment_for_a_candidate(
        aksu_api: tuple[TestClient, WorkflowApp]) -> None:
    api, app = aksu_api
    headers = session(api, "ma")
    answer = api.post("/api/v1/cases", json={"kind": "dismissal", "subject": "tian",
                                             "class": "jd1", "ground": "serious_accident",
                                             "note": "责任事故"}, headers=headers)
    assert answer.status_code == 201, answer.text
    shown = app.reads.show(answer.json()["id"])
    assert (shown["kind"], shown["subject"], shown["data"]["ground"]) == (
        "dismissal", "tian", "serious_accident")
    app.org.add_user("qian", "钱老师", [], "admin")
    app.org.add_class("jd3", "机电3班", "jd", 35, "高职", False, "admin")
    recruited = api.post("/api/v1/cases", json={"kind": "recruitment", "subject": "qian",
                                                "class": "jd3"}, headers=headers)
    assert recruited.status_code == 201 and recruited.json()["kind"] == "recruitment"
    refusal(api.post("/api/v1/cases", json={"kind": "dismissal", "subject": "tian",
                                            "class": "jd1", "ground": "nonsense"},
                     headers=headers), 400, 2, "nonsense")
    refusal(api.post("/api/v1/cases", json={"kind": "dismissal", "by": "ma"},
                     headers=headers), 400, 2)
    tian = session(api, "tian")
    refusal(api.post("/api/v1/cases", json={"kind": "dismissal", "subject": "zhuan",
                                            "class": "jd2", "ground": "serious_accident"},
                     headers=tian), 403, 3)


def test_the_openapi_document_lists_the_new_endpoints_with_their_statuses(
        api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert "201" in paths["/api/v1/awards"]["post"]["responses"]
    assert "201" in paths["/api/v1/cases"]["post"]["responses"]
    assert "403" in paths["/api/v1/allowance"]["get"]["responses"]
    assert {"403", "404"} <= set(paths["/api/v1/cases/{ref}/form.{fmt}"]["get"]["responses"])
