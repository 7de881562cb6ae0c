"""The JSON API as WEB.md fixes it: sessions with CSRF, tokens, the CLI's JSON, refusals as {error, code}."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pagerun import password
from fastapi.testclient import TestClient

from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app


@pytest.fixture
def api(store: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(store.location, store), follow_redirects=False) as client:
        yield client


def session(api: TestClient, login: str) -> dict[str, str]:
    """Signs the client in; the headers a write made with its cookie needs."""
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def applied(store: WorkflowApp) -> str:
    return str(store.cases.recruit_apply("kj1", "chen", None, "本人申请", "chen")["id"])


def refusal(answer: Any, status: int, code: int) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) >= {"error", "code"} and body["code"] == code and "Traceback" not in \
        answer.text and "\n" not in body["error"]


def test_signing_in_answers_the_user_and_a_csrf_token_with_an_httponly_cookie(
        api: TestClient) -> None:
    answer = api.post("/api/v1/session", json={"user": "zhang", "password": password("zhang")})
    cookie = answer.headers["set-cookie"].lower()
    assert (answer.status_code, answer.json()["user"], answer.json()["name"]) == (
        200, "zhang", "张建国")
    assert "httponly" in cookie and "samesite=lax" in cookie and answer.json()["csrf"]


def test_me_names_the_signed_in_user_and_their_roles(api: TestClient) -> None:
    session(api, "zhang")
    assert api.get("/api/v1/me").json() == {"user": "zhang", "name": "张建国",
                                            "roles": ["site_head@nanning"]}


def test_a_site_head_signs_off_through_the_api_with_the_csrf_header(
        api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    headers = session(api, "zhang")
    assert [r["id"] for r in api.get("/api/v1/inbox").json()] == [ref]
    answer = api.post(f"/api/v1/cases/{ref}/approve", json={"comment": "同意"}, headers=headers)
    assert answer.status_code == 200
    assert answer.json().items() <= store.reads.show(ref).items()  # show adds the names


def test_a_write_with_the_cookie_but_no_csrf_header_is_refused_and_writes_nothing(
        api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    session(api, "zhang")
    refusal(api.post(f"/api/v1/cases/{ref}/approve", json={}), 401, 3)
    refusal(api.post(f"/api/v1/cases/{ref}/approve", json={},
                     headers={"X-CSRF-Token": "forged"}), 401, 3)
    assert len(store.reads.history(ref)) == 1


def test_a_bearer_token_needs_no_cookie_and_no_csrf(api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    token = store.credentials.issue_token("zhang", "script", "admin")["token"]
    answer = api.post(f"/api/v1/cases/{ref}/approve", json={"comment": "同意"},
                      headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.json()["last"]["actor"]) == (200, "zhang")


def test_the_actor_is_never_a_body_field(api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    headers = session(api, "zhang")
    refusal(api.post(f"/api/v1/cases/{ref}/approve", json={"actor": "li"}, headers=headers),
            400, 2)
    assert len(store.reads.history(ref)) == 1


def test_unknown_query_values_and_bad_bodies_are_400_not_422(api: TestClient) -> None:
    session(api, "zhang")
    refusal(api.get("/api/v1/cases?colour=red"), 400, 2)
    refusal(api.get("/api/v1/cases?limit=0"), 400, 2)
    refusal(api.post("/api/v1/session", json={"user": 3}), 400, 2)


def test_refusals_carry_the_clis_exit_code_and_their_status(api: TestClient,
                                                             store: WorkflowApp) -> None:
    ref = applied(store)
    refusal(api.get("/api/v1/inbox"), 401, 3)
    headers = session(api, "li")
    refusal(api.post(f"/api/v1/cases/{ref}/approve", json={}, headers=headers), 403, 3)
    refusal(api.get("/api/v1/cases/R-999"), 404, 2)
    refusal(api.post(f"/api/v1/cases/{ref}/veto",
                     json={"reason": "x", "step": "college_approval"}, headers=headers), 422, 1)


def test_another_sites_head_may_not_read_the_case_and_lists_leave_it_out(
        api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    session(api, "huang")
    refusal(api.get(f"/api/v1/cases/{ref}"), 403, 3)
    assert ref not in [c["id"] for c in api.get("/api/v1/cases").json()]
    assert all(row["case"] != ref for row in api.get("/api/v1/audit").json())


def test_a_candidate_applies_through_the_api(api: TestClient) -> None:
    headers = session(api, "chen")
    answer = api.post("/api/v1/recruitment", json={"class": "kj1", "note": "本人申请"},
                      headers=headers)
    assert (answer.status_code, answer.json()["subject"], answer.json()["state"]) == (
        201, "chen", "open")


def test_the_fifth_failure_locks_the_name_for_everyone_known_or_not(api: TestClient) -> None:
    for name in ("zhang", "nobody"):
        answers = [api.post("/api/v1/session", json={"user": name, "password": "wrong-pass"})
                   for _ in range(5)]
        assert [a.status_code for a in answers] == [401] * 5
        locked = api.post("/api/v1/session", json={"user": name,
                                                    "password": password("zhang")})
        refusal(locked, 423, 3)
    assert answers[0].json() == api.post("/api/v1/session", json={
        "user": "nobody2", "password": "wrong-pass"}).json()


def test_signing_out_ends_the_session(api: TestClient) -> None:
    headers = session(api, "zhang")
    cookie = api.cookies.get("bzr_session")
    assert api.delete("/api/v1/session", headers=headers).status_code == 204
    api.cookies.set("bzr_session", cookie or "")
    refusal(api.get("/api/v1/me"), 401, 3)


def test_the_openapi_document_needs_no_sign_in_and_lists_the_sign_off(api: TestClient) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/cases/{ref}/approve", "/api/v1/inbox", "/api/v1/session"} <= set(paths)


def test_health_answers_ok(api: TestClient) -> None:
    assert api.get("/healthz").json() == {"ok": True}


def test_an_api_refusal_is_chinese_by_default_and_english_when_asked(
        api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    headers = session(api, "li")  # reads the case (a later step is theirs), may not sign this one
    zh = api.post(f"/api/v1/cases/{ref}/approve", json={}, headers=headers)
    en = api.post(f"/api/v1/cases/{ref}/approve", json={},
                  headers={**headers, "Accept-Language": "en"})
    refusal(zh, 403, 3)
    refusal(en, 403, 3)
    assert "应由" in zh.json()["error"] and "awaits" not in zh.json()["error"]
    assert "awaits" in en.json()["error"] and "应由" not in en.json()["error"]
    assert zh.json()["message_id"] == en.json()["message_id"] and \
        en.json()["message_id"].startswith("{ref} awaits {label}")


def test_a_closed_case_is_refused_in_the_readers_language(api: TestClient,
                                                         store: WorkflowApp) -> None:
    ref = applied(store)
    store.cases.veto(ref, "zhang", "名额已满")
    headers = session(api, "zhang")
    zh = api.post(f"/api/v1/cases/{ref}/approve", json={}, headers=headers)
    api.cookies.set("bzr_lang", "en")
    en = api.post(f"/api/v1/cases/{ref}/approve", json={}, headers=headers)
    refusal(zh, 422, 1)
    assert zh.json()["error"].endswith("没有待办理的环节") and "已否决" in zh.json()["error"]
    assert en.json()["error"] == f"{ref} is vetoed (vetoed by zhang); nothing is pending"
