"""POST /api/v1/cases/{id}/takeback and /reassign: the case JSON as approve answers it, refusals
as {error, code}, both in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pagerun import password

from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app


@pytest.fixture
def api(store: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(store.location, store), follow_redirects=False,
                    headers={"Accept-Language": "en"}) as client:
        yield client


def session(api: TestClient, login: str) -> dict[str, str]:
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def signed_by_zhang(store: WorkflowApp) -> str:
    ref = str(store.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"])
    store.cases.approve(ref, "zhang", "同意推荐")
    return ref


def test_a_signer_takes_back_through_the_api(api: TestClient, store: WorkflowApp) -> None:
    ref = signed_by_zhang(store)
    answer = api.post(f"/api/v1/cases/{ref}/takeback", json={"reason": "再核对"},
                      headers=session(api, "zhang"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["id"], body["step"], body["last"]["action"]) == (ref, "site_review",
                                                                 "taken back")


def test_a_take_back_after_the_next_level_is_refused_with_code_1(
        api: TestClient, store: WorkflowApp) -> None:
    ref = signed_by_zhang(store)
    store.cases.approve(ref, "li", "")
    answer = api.post(f"/api/v1/cases/{ref}/takeback", json={"reason": "再核对"},
                      headers=session(api, "zhang"))
    assert (answer.status_code, answer.json()["code"]) == (422, 1)
    assert "approved by li" in answer.json()["error"]


def test_an_administrator_reassigns_through_the_api_and_the_inbox_follows(
        api: TestClient, store: WorkflowApp) -> None:
    ref = signed_by_zhang(store)
    answer = api.post(f"/api/v1/cases/{ref}/reassign", json={"to": "wang", "reason": "出差"},
                      headers=session(api, "admin"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["assignee"] == "wang"
    api.cookies.clear()
    session(api, "li")
    assert ref not in [r["id"] for r in api.get("/api/v1/inbox").json()]
    api.cookies.clear()
    session(api, "wang")
    assert ref in [r["id"] for r in api.get("/api/v1/inbox").json()]


def test_reassign_refusals_carry_their_codes(api: TestClient, store: WorkflowApp) -> None:
    ref = signed_by_zhang(store)
    answer: Any = api.post(f"/api/v1/cases/{ref}/reassign", json={"to": "wang", "reason": "x"},
                           headers=session(api, "li"))
    assert (answer.status_code, answer.json()["code"]) == (403, 3)
    api.cookies.clear()
    headers = session(api, "admin")
    answer = api.post(f"/api/v1/cases/{ref}/reassign", json={"to": "huang", "reason": "x"},
                      headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (422, 1)
    answer = api.post(f"/api/v1/cases/{ref}/reassign", json={"to": "nobody", "reason": "x"},
                      headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (404, 2)
    answer = api.post(f"/api/v1/cases/{ref}/reassign", json={"reason": "x"}, headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (400, 2)


def test_both_are_in_the_openapi_document(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/cases/{ref}/takeback"]
    assert "post" in paths["/api/v1/cases/{ref}/reassign"]
    assert "422" in paths["/api/v1/cases/{ref}/reassign"]["post"]["responses"]
