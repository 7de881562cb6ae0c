"""Bulk sign-off on the web (issue 23 item 1): POST /api/v1/batches answers the CLI's batch JSON
(200 whatever was refused, the refusals inside), and the batch page signs exactly the cases it
showed at the versions it showed them, CSRF-checked like every form."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pagerun import csrf_of, password

from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app

PERIOD = "2026-2027-1"
SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def opened(store: WorkflowApp, scored: int = 2) -> list[str]:
    """Three appraisals at 南宁 (陈晓明, 刘芳, 院长's none: chen, liu, zhao2), the first `scored` scored."""
    cases = store.appraisals.open_appraisals(
        PERIOD, [(a, "kj1", "nanning") for a in ("chen", "liu", "boss")], "li", True, early=True)
    refs = [c["id"] for c in cases]
    for ref in refs[:scored]:
        store.appraisals.score(ref, "zhang", SITE)
    return refs


@pytest.fixture
def api(store: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(store.location, store), follow_redirects=False,
                    headers={"Accept-Language": "en"}) as client:
        yield client


def session(api: TestClient, login: str) -> dict[str, str]:
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def test_the_api_signs_a_batch_and_names_its_refusals(api: TestClient,
                                                      store: WorkflowApp) -> None:
    refs = opened(store)
    headers = session(api, "zhang")
    dry = api.post("/api/v1/batches", json={"cases": refs, "dry_run": True}, headers=headers)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["signed"], dry.json()["batch"]) == (refs[:2], None)
    answer = api.post("/api/v1/batches", json={"cases": refs, "comment": "同意"},
                      headers=headers)
    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert done["signed"] == refs[:2] and done["batch"].startswith("B-")
    [refused] = done["refused"]
    assert (refused["case"], refused["code"]) == (refs[2], 1)
    assert "score political" in refused["error"] and refused["message_id"].startswith("{ref}")
    history = api.get(f"/api/v1/cases/{refs[0]}/history").json()
    assert [h["batch"] for h in history if h["action"] == "appraised"] == [done["batch"]]
    audit = [r for r in store.reads.audit(case=refs[1]) if r["action"] == "appraised"]
    assert (audit[0]["batch"], audit[0]["via"]) == (done["batch"], "web")


def test_an_all_refused_batch_is_still_200_and_bad_bodies_are_400(
        api: TestClient, store: WorkflowApp) -> None:
    refs = opened(store)
    headers = session(api, "huang")  # 柳州's head: none is his
    answer = api.post("/api/v1/batches", json={"cases": refs}, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["signed"] == [] and {r["code"] for r in answer.json()["refused"]} == {3}
    for body in ({"cases": []}, {"cases": refs, "actor": "zhang"}, {"comment": "x"}):
        refusal = api.post("/api/v1/batches", json=body, headers=headers)
        assert refusal.status_code == 400 and refusal.json()["code"] == 2, body
    assert api.post("/api/v1/batches", json={"cases": refs}).status_code == 401
    assert "/api/v1/batches" in api.get("/api/v1/openapi.json").json()["paths"]


def choose(client: TestClient) -> tuple[str, list[str]]:
    """The batch page: its csrf and every checkbox's value (REF:VERSION)."""
    import re

    page = client.get("/batch")
    assert page.status_code == 200
    return csrf_of(page.text), re.findall(r'name="case" value="([^"]+)"', page.text)


def test_the_page_confirms_exactly_the_chosen_cases_and_signs_them(
        browser: Callable[[str | None], TestClient], store: WorkflowApp) -> None:
    refs = opened(store, scored=3)
    zhang = browser("zhang")
    assert 'href="/batch"' in zhang.get("/").text
    csrf, values = choose(zhang)
    assert [v.split(":")[0] for v in values] == refs
    assert "陈晓明" in zhang.get("/batch").text and "chen<" not in zhang.get("/batch").text
    confirm = zhang.post("/batch/confirm", data={"csrf": csrf, "case": values[:2],
                                                 "comment": "同意"})
    assert confirm.status_code == 200
    carried = csrf_of(confirm.text), confirm.text
    assert refs[0] in carried[1] and refs[1] in carried[1] and f">{refs[2]}<" not in carried[1]
    signed = zhang.post("/batch/sign", data={"csrf": csrf, "case": values[:2], "comment": "同意"})
    assert signed.status_code == 200 and "B-" in signed.text
    assert [store.case(r).step for r in refs] == ["college_evaluation", "college_evaluation",
                                                 "site_appraisal"]


def test_a_case_changed_after_it_was_shown_is_refused_not_signed(
        browser: Callable[[str | None], TestClient], store: WorkflowApp) -> None:
    refs = opened(store, scored=2)
    zhang = browser("zhang")
    csrf, values = choose(zhang)
    store.appraisals.score(refs[1], "zhang", ["political=17"])  # changed after it was shown
    signed = zhang.post("/batch/sign", data={"csrf": csrf, "case": values[:2]})
    assert signed.status_code == 200
    assert store.case(refs[0]).step == "college_evaluation"
    assert store.case(refs[1]).step == "site_appraisal"
    assert "显示给您之后已有变化" in signed.text or "changed after it was shown" in signed.text
    confirm = zhang.post("/batch/confirm", data={"csrf": csrf, "case": values[1:2]})
    assert refs[1] in confirm.text and 'name="case"' not in confirm.text  # shown apart


def test_the_batch_forms_need_the_sessions_csrf(
        browser: Callable[[str | None], TestClient], store: WorkflowApp) -> None:
    refs = opened(store)
    zhang = browser("zhang")
    _, values = choose(zhang)
    for path in ("/batch/confirm", "/batch/sign"):
        assert zhang.post(path, data={"csrf": "forged", "case": values}).status_code in (401, 403)
    assert store.case(refs[0]).step == "site_appraisal"
