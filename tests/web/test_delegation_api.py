"""The delegation API (WEB.md "Approval vocabulary"): POST, GET and DELETE /api/v1/delegations, and a deputy signing through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from pagerun import password

from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app

EN = {"Accept-Language": "en"}


@pytest.fixture
def api(store: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(store.location, store), follow_redirects=False) as client:
        yield client


def session(api: TestClient, login: str) -> dict[str, str]:
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"], **EN}


def window(store: WorkflowApp, days: int = 3) -> dict[str, str]:
    today = date.fromisoformat(store.today(store.policy()))
    return {"from": today.isoformat(), "until": (today + timedelta(days=days)).isoformat()}


def test_a_holder_names_a_deputy_and_lists_it(api: TestClient, store: WorkflowApp) -> None:
    made = api.post("/api/v1/delegations", json={"to": "liu", **window(store),
                                                 "kind": "recruitment"},
                    headers=session(api, "zhang"))
    assert made.status_code == 201, made.text
    assert (made.json()["id"], made.json()["state"], made.json()["kind"]) == \
        ("DG-1", "active", "recruitment")
    listed = api.get("/api/v1/delegations").json()
    assert [(d["holder"], d["deputy"]) for d in listed] == [("zhang", "liu")]


def test_a_deputy_signs_through_the_api_for_the_holder(api: TestClient,
                                                        store: WorkflowApp) -> None:
    ref = store.cases.recruit_apply("kj1", "chen", None, "申请", "chen")["id"]
    store.delegations.give("zhang", "liu", **{k if k != "from" else "start": v
                                              for k, v in window(store).items()})
    headers = session(api, "liu")
    inbox = api.get("/api/v1/inbox").json()
    assert [(r["id"], r["on_behalf_of"]) for r in inbox] == [(ref, "zhang")]
    assert api.post(f"/api/v1/cases/{ref}/approve", json={"comment": "代签"},
                    headers=headers).status_code == 200
    last = api.get(f"/api/v1/cases/{ref}/history").json()[-1]
    assert (last["actor"], last["on_behalf_of"], last["on_behalf_of_name"]) == \
        ("liu", "zhang", "张建国")


def test_only_the_holder_or_an_administrator_deletes_one(api: TestClient,
                                                         store: WorkflowApp) -> None:
    store.delegations.give("zhang", "liu", **{k if k != "from" else "start": v
                                              for k, v in window(store).items()})
    refused = api.delete("/api/v1/delegations/DG-1", headers=session(api, "liu"))
    assert (refused.status_code, refused.json()["code"]) == (403, 3)
    done = api.delete("/api/v1/delegations/DG-1", headers=session(api, "zhang"))
    assert (done.status_code, done.json()["state"], done.json()["revoked_by"]) == \
        (200, "revoked", "zhang")


def test_an_unknown_delegation_is_not_found(api: TestClient) -> None:
    answer = api.delete("/api/v1/delegations/DG-9", headers=session(api, "zhang"))
    assert (answer.status_code, answer.json()["code"]) == (404, 2)


def test_an_unknown_field_is_bad_input(api: TestClient, store: WorkflowApp) -> None:
    answer = api.post("/api/v1/delegations", json={"to": "liu", **window(store),
                                                   "holder": "zhang"},
                      headers=session(api, "zhang"))
    assert (answer.status_code, answer.json()["code"]) == (400, 2)


def test_passing_on_is_refused(api: TestClient, store: WorkflowApp) -> None:
    answer = api.post("/api/v1/delegations", json={"to": "chen", **window(store)},
                      headers=session(api, "liu"))
    assert (answer.status_code, answer.json()["code"]) == (403, 3)
    assert "never passed on" in answer.json()["error"]


def test_the_openapi_document_names_the_delegation_endpoints(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/delegations"]) == {"get", "post"}
    assert "404" in paths["/api/v1/delegations/{id}"]["delete"]["responses"]
