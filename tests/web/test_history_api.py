"""`GET /api/v1/results` (WEB.md): the CLI's `results --json`, read as of `as_of`, leaving out
what the caller may not read (issue 22 item 3)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pagerun import password

from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app

SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


@pytest.fixture
def api(store: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(store.location, store), follow_redirects=False) as client:
        yield client


def signed_in(api: TestClient, login: str) -> None:
    answer = api.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text


def appraised(store: WorkflowApp) -> str:
    """chen (南宁) and liu (柳州) appointed and appraised for 2026-2027-1; chen's result is
    published a second after the instant returned, when it stood at the last level."""
    for klass, advisor, head in (("kj1", "chen", "zhang"), ("tm1", "liu", "huang")):
        ref = store.cases.recruit_apply(klass, advisor, "2026-09-01", "本人申请", advisor)["id"]
        for who in (head, "li", "wang"):
            store.cases.approve(ref, who, "")
    cases = store.appraisals.open_appraisals(
        "2026-2027-1", [("chen", "kj1", "nanning"), ("liu", "tm1", "liuzhou")], "li", True)
    ref = next(c["id"] for c in cases if c["subject"] == "chen")
    store.appraisals.score(ref, "zhang", SITE)
    store.cases.approve(ref, "zhang", "")
    store.appraisals.score(ref, "li", ["college_evaluation=13"])
    store.cases.approve(ref, "li", "")
    then = str(store.reads.history(ref)[-1]["at"])
    time.sleep(1.1)
    store.cases.approve(ref, "wang", "")
    return then


def test_results_as_of_an_instant_answer_as_the_office_saw_them(api: TestClient,
                                                               store: WorkflowApp) -> None:
    then = appraised(store)
    signed_in(api, "li")
    now = {r["advisor"]: r for r in api.get("/api/v1/results?period=2026-2027-1").json()}
    assert (now["chen"]["grade"], now["chen"]["state"]) == ("优秀", "published")
    past = api.get("/api/v1/results", params={"period": "2026-2027-1", "as_of": then}).json()
    chen = next(r for r in past if r["advisor"] == "chen")
    assert (chen["total"], chen["state"], chen["final"]) == ("89", "open", False)
    assert api.get("/api/v1/results", params={"period": "2026-2027-1",
                                              "as_of": "2000-01-01"}).json() == []
    assert api.get("/api/v1/results", params={"period": "2026-2027-1", "counts": "true",
                                              "as_of": then}).json()["provisional"]["*"] == {
        "优秀": 1, "-": 1}  # neither was final then


def test_a_site_head_reads_only_their_sites_results_and_an_advisor_no_counts(
        api: TestClient, store: WorkflowApp) -> None:
    appraised(store)
    signed_in(api, "zhang")
    assert [r["advisor"] for r in api.get("/api/v1/results?period=2026-2027-1").json()] == [
        "chen"]
    signed_in(api, "chen")
    assert [r["advisor"] for r in api.get("/api/v1/results?period=2026-2027-1").json()] == [
        "chen"]
    refused = api.get("/api/v1/results?period=2026-2027-1&counts=true")
    assert refused.status_code == 403 and refused.json()["code"] == 3


def test_an_unknown_parameter_or_no_period_is_bad_input(api: TestClient) -> None:
    signed_in(api, "li")
    for url in ("/api/v1/results?period=2026-2027-1&asof=2026-12-01", "/api/v1/results"):
        answer = api.get(url)
        assert answer.status_code == 400 and answer.json()["code"] == 2, answer.text
