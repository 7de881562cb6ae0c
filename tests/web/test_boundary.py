"""The web boundary (issue 20 items 6 and 9): framing and caching headers, request bodies and
query values checked strictly, and refusals that tell a stranger nothing about a case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pagerun import csrf_of, password

from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.signing import reading_refusal
from bzr_workflow.web.app import create_app

Browser = Callable[[str | None], TestClient]


@pytest.fixture
def api(store: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(store.location, store), follow_redirects=False,
                    headers={"Accept-Language": "en"}) as client:  # refusals read in English
        yield client


def session(api: TestClient, login: str) -> dict[str, str]:
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def applied(store: WorkflowApp) -> str:
    return str(store.cases.recruit_apply("kj1", "chen", None, "本人申请", "chen")["id"])


def refusal(answer: Any, status: int, code: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert {"error", "code"} <= set(body) <= {"error", "code", "message_id"}, body
    assert body["code"] == code, body
    return body


def decisions(store: WorkflowApp, ref: str) -> list[str]:
    return [h["action"] for h in store.reads.history(ref)]


# -- item 6: the reading rule before any other -----------------------------------------------

def test_a_strangers_approve_and_withdraw_through_the_api_say_only_may_not_read(
        api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    store.cases.veto(ref, "zhang", "材料不全")  # closed: the old refusal named state and signer
    expected = {"huang": str(reading_refusal(ref, "huang", [])),
                "liu": str(reading_refusal(ref, "liu", []))}
    for login, act, body in (("huang", "approve", {}), ("liu", "withdraw", {})):
        headers = session(api, login)
        answer = api.post(f"/api/v1/cases/{ref}/{act}", json=body, headers=headers)
        assert refusal(answer, 403, 3)["error"] == expected[login]
        for secret in ("chen", "zhang", "vetoed", "nanning", "site_review"):
            assert secret not in answer.text
        api.cookies.clear()


def test_a_strangers_approve_on_the_case_page_says_only_may_not_read(
        browser: Browser, store: WorkflowApp) -> None:
    ref = applied(store)
    huang = browser("huang")
    token = csrf_of(huang.get("/").text)
    answer = huang.post(f"/cases/{ref}/approve", data={"comment": "", "csrf": token})
    assert answer.status_code == 403 and "无权查看" in answer.text  # "may not read", in Chinese
    assert "陈晓明" not in answer.text and "site_review" not in answer.text
    assert decisions(store, ref) == ["applied"]


def test_applying_on_behalf_of_an_existing_or_unknown_login_answers_the_same(
        api: TestClient) -> None:
    headers = session(api, "chen")
    answers = [api.post("/api/v1/recruitment", json={"class": "kj1", "candidate": name},
                        headers=headers) for name in ("liu", "no-such-person")]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()


# -- item 9: headers -------------------------------------------------------------------------

def test_every_page_forbids_framing(browser: Browser) -> None:
    nobody = browser(None)
    for path in ("/login", "/api/v1/openapi.json", "/healthz", "/no-such-page"):
        answer = nobody.get(path)
        assert answer.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], path


def test_signed_in_pages_and_api_answers_are_not_stored(browser: Browser,
                                                        store: WorkflowApp) -> None:
    ref = applied(store)
    zhang = browser("zhang")
    for path in ("/", f"/cases/{ref}", "/mine", "/api/v1/me"):
        answer = zhang.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-store", path
        assert answer.headers["x-frame-options"] == "DENY", path
    token = store.credentials.issue_token("zhang", None, "admin")["token"]
    answer = browser(None).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.headers["cache-control"]) == (200, "no-store")


# -- item 9: what comes in -------------------------------------------------------------------

@pytest.mark.parametrize("limit", ["²", "٣", "１", "+5", " 5", "5" * 20, "0"])
def test_a_limit_that_is_not_plain_ascii_digits_is_400(api: TestClient, limit: str) -> None:
    session(api, "zhang")
    refusal(api.get("/api/v1/cases", params={"limit": limit}), 400, 2)
    refusal(api.get("/api/v1/audit", params={"limit": limit}), 400, 2)


def test_a_period_in_other_scripts_digits_is_not_read_as_a_year(api: TestClient) -> None:
    session(api, "zhang")
    refusal(api.get("/api/v1/cases", params={"period": "٢٠٢٦"}), 400, 2)


def test_a_form_comment_that_is_not_utf8_is_400_and_nothing_is_stored(
        browser: Browser, store: WorkflowApp) -> None:
    ref = applied(store)
    zhang = browser("zhang")
    token = csrf_of(zhang.get(f"/cases/{ref}").text)
    for body in (f"comment=%FF%FE(&csrf={token}".encode(),
                 b"comment=\xff\xfe(&csrf=" + token.encode()):
        answer = zhang.post(f"/cases/{ref}/approve", content=body,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 400 and answer.json()["code"] == 2, answer.text
    assert decisions(store, ref) == ["applied"]


def test_a_json_body_that_is_not_utf8_is_400_and_nothing_is_stored(
        api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    headers = session(api, "zhang") | {"Content-Type": "application/json"}
    for body in (b'{"comment": "\xff\xfe("}', b'{"comment": "\\udcff("}'):
        refusal(api.post(f"/api/v1/cases/{ref}/approve", content=body, headers=headers), 400, 2)
    assert decisions(store, ref) == ["applied"]


@pytest.mark.parametrize("mark", ["\u200b", "\u200e", "\u202e", "\u2066", "\u2028", "\ufeff",
                                  "\U000e0041"])
def test_a_comment_with_an_invisible_or_direction_mark_is_refused(
        api: TestClient, store: WorkflowApp, mark: str) -> None:
    ref = applied(store)
    headers = session(api, "zhang")
    refusal(api.post(f"/api/v1/cases/{ref}/approve", json={"comment": f"同意{mark}"},
                     headers=headers), 400, 2)
    assert decisions(store, ref) == ["applied"]


def test_an_unknown_step_is_400_naming_the_step_ids(api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    headers = session(api, "zhang")
    body = refusal(api.post(f"/api/v1/cases/{ref}/approve", json={"step": "<i>boss</i>"},
                            headers=headers), 400, 2)
    assert "site_review" in body["error"] and "<i>" not in body["error"]
    assert decisions(store, ref) == ["applied"]


def test_addresses_and_sessions_are_for_administrators_and_auditors_only(
        api: TestClient, store: WorkflowApp) -> None:
    ref = applied(store)
    headers = session(api, "zhang")
    assert api.post(f"/api/v1/cases/{ref}/approve", json={}, headers=headers).status_code == 200
    store.org.add_user("audit", "审计", ["auditor"], "admin")
    store.credentials.set_password("audit", password("audit"), "admin")
    seen = {}
    for login in ("chen", "zhang", "admin", "audit"):
        api.cookies.clear()
        session(api, login)
        rows = api.get("/api/v1/audit", params={"case": ref}).json()
        signed = [r for r in rows if r["actor"] == "zhang"][0]
        seen[login] = (signed["address"], signed["session"] is not None)
    assert seen["chen"] == seen["zhang"] == (None, False)
    assert seen["admin"] == seen["audit"] == ("testclient", True)


def test_the_openapi_document_has_the_bearer_scheme_the_error_schema_and_no_422_detail(
        api: TestClient) -> None:
    doc = api.get("/api/v1/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"][
            "securitySchemes"]["bearer"]["description"]}
    assert {"session", "csrf"} <= set(doc["components"]["securitySchemes"])
    assert doc["components"]["schemas"]["Error"]["required"] == ["error", "code"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert "detail" not in api.get("/api/v1/openapi.json").text
    approve = doc["paths"]["/api/v1/cases/{ref}/approve"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(approve["responses"])
    for status, answer in approve["responses"].items():
        if status != "200":
            assert answer["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"}
    assert {"bearer": []} in approve["security"] and \
        {"session": [], "csrf": []} in approve["security"]
    assert doc["paths"]["/api/v1/session"]["post"]["security"] == []
    assert "423" in doc["paths"]["/api/v1/session"]["post"]["responses"]


def test_a_second_open_application_through_the_api_is_422(api: TestClient,
                                                           store: WorkflowApp) -> None:
    headers = session(api, "chen")
    first = api.post("/api/v1/recruitment", json={"class": "kj1"}, headers=headers)
    assert first.status_code == 201
    again = api.post("/api/v1/recruitment", json={"class": "kj1"}, headers=headers)
    assert first.json()["id"] in refusal(again, 422, 1)["error"]
    assert len(store.reads.cases(kind="recruitment")) == 1


def test_a_query_value_that_is_not_utf8_is_400(api: TestClient) -> None:
    session(api, "zhang")
    refusal(api.get("/api/v1/audit?actor=%FF%FE"), 400, 2)
    assert api.get("/api/v1/audit?actor=%E5%BC%A0").status_code == 200


def test_a_json_body_above_one_mib_is_413_and_not_read_whole(api: TestClient,
                                                              store: WorkflowApp) -> None:
    ref = applied(store)
    headers = session(api, "zhang") | {"Content-Type": "application/json"}
    body = b'{"comment": "' + b"x" * (1024 * 1024 + 1) + b'"}'
    refusal(api.post(f"/api/v1/cases/{ref}/approve", content=body, headers=headers), 413, 2)
    assert decisions(store, ref) == ["applied"]


def test_the_shared_stylesheet_may_be_cached_but_not_framed(browser: Browser) -> None:
    answer = browser("zhang").get("/static/site.css")
    assert answer.status_code == 200 and answer.headers.get("cache-control") != "no-store"
    assert answer.headers["x-frame-options"] == "DENY"
