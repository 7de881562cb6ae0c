"""The advisor's page /advisors/{login} (issue 22 item 4): their record by name — appointments,
results with who signed, awards, allowances — read by the advisor, those who appraise them in
their unit, administrators and auditors; anyone else is refused."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from bzr_workflow.application import WorkflowApp

SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def career(store: WorkflowApp) -> str:
    """陈晓明 appointed to 会计1班 (南宁), appraised 优秀 for 2026-2027-1 and awarded; returns an
    instant before the appraisal was opened."""
    ref = store.cases.recruit_apply("kj1", "chen", "2026-09-01", "本人申请", "chen")["id"]
    for who in ("zhang", "li", "wang"):
        store.cases.approve(ref, who, "")
    before = str(store.reads.history(ref)[-1]["at"])
    time.sleep(1.1)
    [case] = store.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li",
                                              True)
    store.appraisals.score(case["id"], "zhang", SITE)
    store.cases.approve(case["id"], "zhang", "")
    store.appraisals.score(case["id"], "li", ["college_evaluation=14"])
    store.cases.approve(case["id"], "li", "")
    store.cases.approve(case["id"], "wang", "")
    award = store.awards.nominate("chen", "2026-2027-1", "带班认真负责", None, "zhang")["id"]
    for who in ("zhang", "li", "wang"):
        store.cases.approve(award, who, "")
    return before


def test_the_advisor_reads_their_record_by_name(store: WorkflowApp,
                                              browser: Callable[[str | None], TestClient]) -> None:
    career(store)
    page = browser("chen").get("/advisors/chen")
    assert page.status_code == 200, page.text
    for shown in ("陈晓明", "会计1班", "南宁校外教学点", "2026-2027-1", "优秀", "张建国", "李志强",
                  "王海燕", "桂林理工大学高等学历继续教育优秀班主任"):
        assert shown in page.text, shown
    assert page.headers["cache-control"] == "no-store"


def test_those_who_appraise_the_advisor_read_it_and_others_are_refused(
        store: WorkflowApp, browser: Callable[[str | None], TestClient]) -> None:
    career(store)
    for login in ("zhang", "li", "admin", "boss"):
        assert browser(login).get("/advisors/chen").status_code == 200, login
    for login in ("huang", "liu"):
        refused = browser(login).get("/advisors/chen")
        assert refused.status_code == 403 and "陈晓明" not in refused.text, login


def test_the_record_as_of_an_instant_before_the_appraisal(
        store: WorkflowApp, browser: Callable[[str | None], TestClient]) -> None:
    before = career(store)
    page = browser("li").get("/advisors/chen", params={"as_of": before})
    assert page.status_code == 200 and "会计1班" in page.text
    assert "张建国：" not in page.text and "A-1" not in page.text
    english = browser("li").get("/advisors/chen?lang=en")
    assert english.status_code == 200 and "陈晓明" in english.text
