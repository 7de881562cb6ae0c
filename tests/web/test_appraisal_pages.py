"""The appraisal forms as pages post them (without a browser): 303 back to the case page, the
refusals as pages with WEB.md's statuses, the preview that writes nothing, and the 公示 that
names objectors to the office alone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from appraisalrun import GUILIN_SITE, guilin_appointed, suzhou_published, suzhou_store
from bzr_workflow.application import WorkflowApp
from bzr_workflow.web.app import create_app
from pagerun import csrf_of, sign_in

Browser = Callable[[str], tuple[TestClient, str]]


def browsers(store: WorkflowApp) -> Iterator[Browser]:
    web = create_app(store.location, store)
    opened: list[TestClient] = []

    def as_(login: str) -> tuple[TestClient, str]:
        client = TestClient(web, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        sign_in(client, login)
        return client, csrf_of(client.get("/password").text)
    yield as_
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def guilin(tmp_path: Path) -> Iterator[WorkflowApp]:
    app = guilin_appointed(str(tmp_path / "guilin.db"))
    app.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li", True)
    yield app
    app.close()


@pytest.fixture
def guilin_pages(guilin: WorkflowApp) -> Iterator[Browser]:
    yield from browsers(guilin)


def test_the_scoring_form_names_each_input_by_its_key_with_the_seeds_text(
        guilin_pages: Browser) -> None:
    client, _ = guilin_pages("zhang")
    page = client.get("/cases/A-1").text
    for key in GUILIN_SITE:
        assert f'name="{key}"' in page
    assert 'name="college_evaluation"' not in page  # scored at the college's step
    assert "坚持正确的政治方向" in page and "思想政治素质" in page
    assert "/static/scoring.js" in page
    chen, _ = guilin_pages("chen")
    assert 'name="political"' not in chen.get("/cases/A-1").text  # the advisor scores nothing


def test_a_preview_gives_the_total_and_grade_and_writes_nothing(
        guilin: WorkflowApp, guilin_pages: Browser) -> None:
    client, csrf = guilin_pages("zhang")
    page = client.post("/cases/A-1/scores/preview", data={"csrf": csrf, **GUILIN_SITE})
    assert page.status_code == 200
    assert '<strong class="total">76</strong>' in page.text and "良好" in page.text
    assert guilin.reads.show("A-1")["scores"] == {}


def test_scores_posted_from_the_form_are_recorded_and_answer_303_to_the_case(
        guilin: WorkflowApp, guilin_pages: Browser) -> None:
    client, csrf = guilin_pages("zhang")
    answer = client.post("/cases/A-1/scores", data={"csrf": csrf, **GUILIN_SITE, "guidance": ""})
    assert (answer.status_code, answer.headers["location"]) == (303, "/cases/A-1")
    assert guilin.reads.show("A-1")["scores"] == {k: v for k, v in GUILIN_SITE.items()
                                                  if k != "guidance"}


def test_a_refused_form_shows_the_case_page_with_the_refusal(
        guilin: WorkflowApp, guilin_pages: Browser) -> None:
    client, csrf = guilin_pages("zhang")
    bad = client.post("/cases/A-1/scores", data={"csrf": csrf, "political": "25"})
    assert bad.status_code == 400 and "0-20" in bad.text and 'name="political"' in bad.text
    no_reason = client.post("/cases/A-1/veto-items", data={"csrf": csrf, "item": "ethics"})
    assert no_reason.status_code == 400
    forged = client.post("/cases/A-1/scores", data={"csrf": "forged", "political": "18"})
    assert forged.status_code == 401
    stranger, token = guilin_pages("huang")
    refused = stranger.post("/cases/A-1/scores", data={"csrf": token, "political": "18"})
    assert refused.status_code == 403 and "坚持正确" not in refused.text
    assert guilin.reads.show("A-1")["scores"] == {} and guilin.reads.show("A-1")["veto_flags"] == {}


def test_a_veto_item_flagged_from_the_page_is_listed_with_its_reason(
        guilin_pages: Browser) -> None:
    client, csrf = guilin_pages("zhang")
    answer = client.post("/cases/A-1/veto-items", data={"csrf": csrf, "item": "ethics",
                                                        "reason": "违规收费"})
    assert answer.status_code == 303
    page = client.get("/cases/A-1").text
    assert "违规收费" in page and "张建国" in page and "不合格" in page


def test_the_organiser_opens_from_the_page_and_a_site_head_may_not(
        guilin: WorkflowApp, guilin_pages: Browser) -> None:
    client, csrf = guilin_pages("zhang")
    refused = client.post("/appraisals", data={"csrf": csrf, "period": "2026-2027-2",
                                               "advisors": "chen"})
    assert refused.status_code == 403
    client, csrf = guilin_pages("li")
    neither = client.post("/appraisals", data={"csrf": csrf, "period": "2026-2027-2"})
    assert neither.status_code == 400
    assert "陈晓明" in client.get("/appraisals").text  # the chooser names the advisor


# -- the 公示 ----------------------------------------------------------------------------------

@pytest.fixture
def suzhou(tmp_path: Path) -> Iterator[WorkflowApp]:
    app = suzhou_store(str(tmp_path / "suzhou.db"))
    suzhou_published(app)
    app.appraisals.lodge_objection("A-1", "peer", "考勤分数有误")
    yield app
    app.close()


@pytest.fixture
def suzhou_pages(suzhou: WorkflowApp) -> Iterator[Browser]:
    yield from browsers(suzhou)


def test_the_public_list_shows_the_result_by_name_and_no_objector(
        suzhou_pages: Browser) -> None:
    client, _ = suzhou_pages("stranger")
    page = client.get("/announcements", params={"period": "2026-2027"}).text
    assert all(words in page for words in ("郑班主任", "软件1班", "计算机学院", "86.5", "合格"))
    assert "冯老师" not in page and "考勤分数有误" not in page and "/resolve" not in page
    assert client.get("/cases/A-1").status_code == 403  # the case itself stays unreadable


def test_the_office_sees_who_objected_and_dismisses_it_from_the_page(
        suzhou: WorkflowApp, suzhou_pages: Browser) -> None:
    client, csrf = suzhou_pages("o1")
    page = client.get("/announcements", params={"period": "2026-2027"}).text
    assert "冯老师" in page and "考勤分数有误" in page and 'action="/cases/A-1/resolve"' in page
    answer = client.post("/cases/A-1/resolve", data={"csrf": csrf, "objection": "1",
                                                     "outcome": "dismissed",
                                                     "comment": "经核实，考勤记录齐全"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/cases/A-1")
    assert suzhou.reads.show("A-1")["announcement"]["objections"][0]["outcome"] == "dismissed"
    early = client.post("/cases/A-1/finalise", data={"csrf": csrf, "period": "2026-2027"})
    assert early.status_code == 422 and "2026" in early.text


def test_an_objection_from_the_page_answers_303_to_the_announcement(
        suzhou: WorkflowApp, suzhou_pages: Browser) -> None:
    client, csrf = suzhou_pages("stranger")
    answer = client.post("/cases/A-1/objections", data={"csrf": csrf, "reason": "总分偏高",
                                                        "period": "2026-2027"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/announcements?period=2026-2027")
    empty = client.post("/cases/A-1/objections", data={"csrf": csrf, "reason": "",
                                                       "period": "2026-2027"})
    assert empty.status_code == 400 and "郑班主任" in empty.text
    assert len(suzhou.reads.show("A-1")["announcement"]["objections"]) == 2
