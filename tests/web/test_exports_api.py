"""GET /api/v1/exports/{name}.xlsx|.html: the office documents over the API, as the caller may
read them (WEB.md "Every workflow"; the reading rule first)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from pagerun import password
from suzhou_year import PERIOD, make_year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def year(tmp_path_factory: Any) -> Iterator[WorkflowApp]:
    folder = tmp_path_factory.mktemp("year")
    app = make_year(open_app(parse_location(str(folder / "store.db")), create=True), password)
    yield app
    app.close()


@pytest.fixture
def api(year: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(year.location, year), follow_redirects=False) as client:
        yield client


def as_(api: TestClient, login: str) -> TestClient:
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return api


def values(body: bytes) -> list[Any]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def refused(answer: Any, status: int, code: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["code"] == code and "\n" not in body["error"]


def test_the_office_downloads_the_summary_as_a_workbook_sealed_with_names(
        api: TestClient, year: WorkflowApp) -> None:
    answer = as_(api, "o1").get("/api/v1/exports/appraisal-summary.xlsx",
                                params={"period": PERIOD})
    assert answer.status_code == 200 and answer.headers["content-type"] == XLSX
    found = values(answer.content)
    assert "周杰（zhou）" in found and "吴敏（wu）" in found
    assert year.reads.seal.head()[1] in found


def test_the_printable_page_names_the_institution_the_period_and_the_signatures(
        api: TestClient) -> None:
    answer = as_(api, "o1").get("/api/v1/exports/announcement.html", params={"period": PERIOD})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    for needed in ("苏州高博软件技术职业学院", "公示名单", PERIOD, "审核人", "单位盖章", "周杰"):
        assert needed in answer.text, needed


def test_a_school_head_exports_only_their_own_school(api: TestClient) -> None:
    me = as_(api, "m1")
    summary = values(me.get("/api/v1/exports/appraisal-summary.xlsx",
                            params={"period": PERIOD}).content)
    assert "吴敏（wu）" in summary and "周杰（zhou）" not in summary
    allowance = me.get("/api/v1/exports/allowance-sheet.xlsx", params={"month": "2026-10"})
    assert allowance.status_code == 200
    lines = values(allowance.content)
    assert "吴敏（wu）" in lines and "周杰（zhou）" not in lines


def test_an_advisor_may_not_export_the_summary_nor_an_office_the_audit(
        api: TestClient) -> None:
    refused(as_(api, "zhou").get("/api/v1/exports/appraisal-summary.xlsx",
                                 params={"period": PERIOD}), 403, 3)
    refused(as_(api, "o1").get("/api/v1/exports/audit.xlsx", params={"period": PERIOD}), 403, 3)
    audit = as_(api, "aud").get("/api/v1/exports/audit.html", params={"period": PERIOD})
    assert audit.status_code == 200 and "陈晓明" in audit.text


def test_a_bad_period_an_unknown_document_or_query_is_400(api: TestClient) -> None:
    office = as_(api, "o1")
    refused(office.get("/api/v1/exports/appraisal-summary.xlsx", params={"period": "spring"}),
            400, 2)
    refused(office.get("/api/v1/exports/payroll.xlsx", params={"period": PERIOD}), 400, 2)
    refused(office.get("/api/v1/exports/allowance-sheet.xlsx", params={"month": "2026-13"}),
            400, 2)
    refused(office.get("/api/v1/exports/announcement.xlsx",
                       params={"period": PERIOD, "as": "admin"}), 400, 2)


def test_nobody_signed_in_gets_nothing(api: TestClient) -> None:
    refused(api.get("/api/v1/exports/announcement.xlsx", params={"period": PERIOD}), 401, 3)


def test_the_openapi_document_lists_both_formats_with_403(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for ending in ("xlsx", "html"):
        assert "403" in paths[f"/api/v1/exports/{{name}}.{ending}"]["get"]["responses"]
