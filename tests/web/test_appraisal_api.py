"""The appraisal endpoints of WEB.md "Every workflow" as the CLI's `appraisal ...` twins answer:
opening a period (201), the self-summary, scores, veto items, objections, resolutions,
finalisation and the results; refusals with the error table's codes, the reading rule first.

Guilin 第七条: the site scores indicators 1-5, the college indicator 6; Suzhou 第十条: results are
announced (公示) for 5 days, an objection upheld sends the appraisal back to scoring."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from appraisalrun import GUILIN_SITE, guilin_appointed, suzhou_published, suzhou_store
from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app
from pagerun import password

Api = Callable[[str], tuple[TestClient, dict[str, str]]]
PERIOD = "2026-2027-1"


def clients(store: WorkflowApp) -> Iterator[Api]:
    web = create_app(store.location, store)
    opened: list[TestClient] = []

    def as_(login: str) -> tuple[TestClient, dict[str, str]]:
        client = TestClient(web, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        answer = client.post("/api/v1/session", json={"user": login, "password": password(login)})
        assert answer.status_code == 200, answer.text
        return client, {"X-CSRF-Token": answer.json()["csrf"]}
    yield as_
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def guilin(tmp_path: Path) -> Iterator[WorkflowApp]:
    app = guilin_appointed(str(tmp_path / "guilin.db"))
    yield app
    app.close()


@pytest.fixture
def guilin_api(guilin: WorkflowApp) -> Iterator[Api]:
    yield from clients(guilin)


@pytest.fixture
def suzhou(tmp_path: Path) -> Iterator[WorkflowApp]:
    app = suzhou_store(str(tmp_path / "suzhou.db"))
    yield app
    app.close()


@pytest.fixture
def suzhou_api(suzhou: WorkflowApp) -> Iterator[Api]:
    yield from clients(suzhou)


def post(api: Api, login: str, path: str, body: Any) -> Any:
    client, headers = api(login)
    return client.post(path, json=body, headers=headers)


def refusal(answer: Any, status: int, code: int, says: str = "") -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code and "Traceback" not in answer.text, body
    assert says in body["error"] + body.get("message_id", ""), body


def opened(guilin: WorkflowApp) -> str:
    [case] = guilin.appraisals.open_appraisals(PERIOD, [("chen", "kj1", "nanning")], "li", True)
    return str(case["id"])


# -- opening ---------------------------------------------------------------------------------

def test_the_college_opens_the_chosen_advisors_appraisals_201_as_appraisal_open_prints(
        guilin: WorkflowApp, guilin_api: Api) -> None:
    answer = post(guilin_api, "li", "/api/v1/appraisals", {"period": PERIOD,
                                                           "advisors": ["chen"]})
    assert answer.status_code == 201, answer.text
    [case] = answer.json()
    assert (case["id"], case["kind"], case["subject"], case["period"], case["state"]) == (
        "A-1", "appraisal", "chen", PERIOD, "open")
    again = post(guilin_api, "li", "/api/v1/appraisals", {"period": PERIOD, "all": True})
    assert (again.status_code, again.json()) == (201, [])  # chen has one: skipped


def test_opening_all_opens_every_appointed_advisor(guilin_api: Api) -> None:
    answer = post(guilin_api, "li", "/api/v1/appraisals", {"period": PERIOD, "all": True})
    assert answer.status_code == 201 and [c["subject"] for c in answer.json()] == ["chen"]


def test_opening_is_refused_with_the_error_tables_codes(guilin: WorkflowApp,
                                                         guilin_api: Api) -> None:
    refusal(post(guilin_api, "li", "/api/v1/appraisals", {"period": PERIOD}), 400, 2)
    refusal(post(guilin_api, "li", "/api/v1/appraisals",
                 {"period": PERIOD, "all": True, "advisors": ["chen"]}), 400, 2)
    refusal(post(guilin_api, "li", "/api/v1/appraisals",
                 {"period": PERIOD, "all": True, "actor": "wang"}), 400, 2)
    refusal(post(guilin_api, "li", "/api/v1/appraisals", {"period": "2026",
                                                          "advisors": ["chen"]}), 400, 2)
    refusal(post(guilin_api, "li", "/api/v1/appraisals", {"period": PERIOD,
                                                          "advisors": ["nobody"]}), 404, 2)
    refusal(post(guilin_api, "zhang", "/api/v1/appraisals", {"period": PERIOD,
                                                             "advisors": ["chen"]}), 403, 3)
    assert guilin.reads.cases("appraisal") == []


# -- self-summary, scores, veto items --------------------------------------------------------

def test_the_advisor_submits_the_self_summary_and_no_one_else_does(
        guilin: WorkflowApp, guilin_api: Api) -> None:
    ref = opened(guilin)
    answer = post(guilin_api, "chen", f"/api/v1/cases/{ref}/summary",
                  {"summary": "本学期按时传达教学通知"})
    assert answer.status_code == 200 and answer.json()["summary"] == "本学期按时传达教学通知"
    refusal(post(guilin_api, "zhang", f"/api/v1/cases/{ref}/summary", {"summary": "代写"}),
            403, 3)
    refusal(post(guilin_api, "chen", f"/api/v1/cases/{ref}/summary", {}), 400, 2)


def test_the_site_head_scores_its_indicators_and_the_json_is_the_clis(
        guilin: WorkflowApp, guilin_api: Api) -> None:
    ref = opened(guilin)
    answer = post(guilin_api, "zhang", f"/api/v1/cases/{ref}/scores",
                  {"items": {**GUILIN_SITE, "political": 18}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["scores"] == GUILIN_SITE
    assert answer.json() == {k: v for k, v in guilin.reads.show(ref).items()
                             if k in answer.json()}


def test_scores_are_refused_as_the_rules_say(guilin: WorkflowApp, guilin_api: Api) -> None:
    ref = opened(guilin)
    url = f"/api/v1/cases/{ref}/scores"
    refusal(post(guilin_api, "zhang", url, {"items": {"college_evaluation": "12"}}), 422, 1,
            "college_evaluation")
    refusal(post(guilin_api, "zhang", url, {"items": {"political": "21"}}), 400, 2, "0-20")
    refusal(post(guilin_api, "zhang", url, {"items": {"political": True}}), 400, 2)
    refusal(post(guilin_api, "zhang", url, {"items": {}}), 400, 2)
    refusal(post(guilin_api, "zhang", url, {"items": {"nope": "1"}}), 400, 2, "nope")  # 22: bad input
    refusal(post(guilin_api, "chen", url, {"items": {"political": "20"}}), 403, 3)
    assert guilin.reads.show(ref)["scores"] == {}


def test_a_stranger_is_told_only_that_they_may_not_read_the_case(
        guilin: WorkflowApp, guilin_api: Api) -> None:
    """The reading rule first: 黄丽华 heads 柳州, not 南宁; whatever she sends about A-1 (a
    wrong key, no items, an objection) is 403 "may not read", which tells her nothing."""
    ref = opened(guilin)
    for path, body in ((f"/api/v1/cases/{ref}/scores", {"items": {"nope": "x"}}),
                       (f"/api/v1/cases/{ref}/scores", {"items": {}}),
                       (f"/api/v1/cases/{ref}/veto-items", {"item": "nope", "reason": "x"}),
                       (f"/api/v1/cases/{ref}/summary", {"summary": "x"}),
                       (f"/api/v1/cases/{ref}/objections", {"reason": "x"}),
                       (f"/api/v1/cases/{ref}/resolve",
                        {"objection": 9, "upheld": True, "comment": "x"}),
                       (f"/api/v1/cases/{ref}/finalise", None)):
        refusal(post(guilin_api, "huang", path, body), 403, 3, "may not read")
    refusal(post(guilin_api, "huang", "/api/v1/cases/A-99/finalise", None), 404, 2)


def test_a_veto_item_needs_a_reason_and_fails_the_appraisal(guilin: WorkflowApp,
                                                            guilin_api: Api) -> None:
    ref = opened(guilin)
    url = f"/api/v1/cases/{ref}/veto-items"
    refusal(post(guilin_api, "zhang", url, {"item": "ethics", "reason": ""}), 400, 2)
    refusal(post(guilin_api, "zhang", url, {"item": "ethics"}), 400, 2)
    refusal(post(guilin_api, "zhang", url, {"item": "nope", "reason": "x"}), 400, 2)
    answer = post(guilin_api, "zhang", url, {"item": "ethics", "reason": "收取学生费用"})
    assert answer.status_code == 200 and answer.json()["grade"] == "不合格"
    assert answer.json()["veto_flags"]["ethics"]["reason"] == "收取学生费用"
    refusal(post(guilin_api, "zhang", url, {"item": "ethics", "reason": "again"}), 422, 1)


# -- the 公示 ----------------------------------------------------------------------------------

def later(app: WorkflowApp, days: int) -> None:
    moment = datetime.now(UTC) + timedelta(days=days)
    app.clock = lambda: moment  # type: ignore[method-assign]


def test_an_objection_upheld_by_the_office_sends_the_result_back_to_scoring(
        suzhou: WorkflowApp, suzhou_api: Api) -> None:
    ref = suzhou_published(suzhou)
    lodged = post(suzhou_api, "peer", f"/api/v1/cases/{ref}/objections",
                  {"reason": "考勤分数与会议签到不符"})
    assert lodged.status_code == 200, lodged.text
    assert lodged.json()["announcement"]["objections"][0]["reason"] == "考勤分数与会议签到不符"
    url = f"/api/v1/cases/{ref}/resolve"
    refusal(post(suzhou_api, "o1", url, {"objection": 1, "comment": "x"}), 400, 2)
    refusal(post(suzhou_api, "o1", url, {"objection": 1, "upheld": True, "dismissed": True,
                                          "comment": "x"}), 400, 2)
    refusal(post(suzhou_api, "o1", url, {"objection": 2, "upheld": True, "comment": "x"}),
            400, 2)
    refusal(post(suzhou_api, "s1", url, {"objection": 1, "upheld": True, "comment": "x"}),
            403, 3)
    back = post(suzhou_api, "o1", url, {"objection": 1, "upheld": True,
                                        "comment": "经核实考勤有误，重新评分"})
    assert back.status_code == 200, back.text
    assert (back.json()["state"], back.json()["step"]) == ("open", "school_appraisal")


def test_finalising_waits_for_the_end_of_the_announcement(suzhou: WorkflowApp,
                                                          suzhou_api: Api) -> None:
    ref = suzhou_published(suzhou)
    refusal(post(suzhou_api, "o2", f"/api/v1/cases/{ref}/finalise", None), 422, 1, "runs until")
    refusal(post(suzhou_api, "adv", f"/api/v1/cases/{ref}/finalise", None), 403, 3)
    later(suzhou, 6)
    refusal(post(suzhou_api, "peer", f"/api/v1/cases/{ref}/objections", {"reason": "晚了"}),
            403, 3, "may not read")  # no longer public: a stranger may not read it
    refusal(post(suzhou_api, "s1", f"/api/v1/cases/{ref}/objections", {"reason": "晚了"}),
            422, 1, "ended")
    client, headers = suzhou_api("o2")
    refusal(client.post(f"/api/v1/cases/{ref}/finalise", json={"x": 1}, headers=headers), 400, 2)
    done = client.post(f"/api/v1/cases/{ref}/finalise", headers=headers)
    assert done.status_code == 200 and done.json()["final"] is True


def test_results_answer_what_the_reader_may_read_final_and_provisional_apart(
        suzhou: WorkflowApp, suzhou_api: Api) -> None:
    ref = suzhou_published(suzhou)
    client, _ = suzhou_api("o1")
    rows = client.get("/api/v1/results", params={"period": "2026-2027"}).json()
    assert [(r["case"], r["grade"], r["final"]) for r in rows] == [(ref, "合格", False)]
    counts = client.get("/api/v1/results", params={"period": "2026-2027", "counts": "true"})
    assert counts.json() == {"final": {}, "provisional": {"*": {"合格": 1}, "cs": {"合格": 1}}}
    peer, _ = suzhou_api("peer")
    assert peer.get("/api/v1/results", params={"period": "2026-2027"}).json() == []
    counted = peer.get("/api/v1/results", params={"period": "2026-2027", "counts": "1"})
    assert counted.status_code == 403  # counts are for those who read a period's results
    refusal(client.get("/api/v1/results"), 400, 2)
    refusal(client.get("/api/v1/results", params={"period": "2026-2027", "counts": "yes"}),
            400, 2)
    refusal(client.get("/api/v1/results", params={"period": "2026-2027", "rank": "1"}), 400, 2)
    later(suzhou, 6)
    suzhou.appraisals.finalise(ref, "o2")
    client, _ = suzhou_api("o1")  # signed in again: six days on, the session has lapsed
    counts = client.get("/api/v1/results", params={"period": "2026-2027", "counts": "true"})
    assert counts.json() == {"final": {"*": {"合格": 1}, "cs": {"合格": 1}}, "provisional": {}}


def test_the_openapi_document_lists_the_appraisal_endpoints_with_their_statuses(
        guilin_api: Api) -> None:
    client, _ = guilin_api("li")
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/appraisals"]["post"]["responses"]) == {
        "201", "400", "401", "403", "404", "409", "422", "500"}
    for path in ("summary", "scores", "veto-items", "objections", "resolve", "finalise"):
        answers = paths[f"/api/v1/cases/{{ref}}/{path}"]["post"]["responses"]
        assert {"200", "400", "401", "403", "404", "409", "422"} <= set(answers), path
    assert {"200", "400", "401"} <= set(paths["/api/v1/results"]["get"]["responses"])
