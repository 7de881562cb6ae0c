"""The pages of awards, the allowance, the work log, the norms and opening any case: what each
reader sees (names, the policy's labels), the forms that post, refusals as pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pagerun import csrf_of, password, sign_in

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from work_org import PERIOD, aksu, appointed, excellent, jiyuan

Browser = Callable[[str | None], TestClient]


@pytest.fixture
def other(tmp_path: Any) -> Iterator[Callable[[Callable[[WorkflowApp], None], list[str]],
                                              tuple[WorkflowApp, Browser]]]:
    """Another institution's store (Aksu, Jiyuan) and its browsers."""
    opened: list[Any] = []

    def make(setup: Callable[[WorkflowApp], None], people: list[str]
             ) -> tuple[WorkflowApp, Browser]:
        app = open_app(parse_location(str(tmp_path / f"{setup.__name__}.db")), create=True)
        setup(app)
        for login in ["admin", *people]:
            app.credentials.set_password(login, password(login), "admin")
        web = create_app(app.location, app)
        opened.append(app)

        def as_(login: str | None) -> TestClient:
            client = TestClient(web, follow_redirects=False)
            client.__enter__()
            opened.append(client)
            return sign_in(client, login) if login else client
        return app, as_
    yield make
    for thing in reversed(opened):
        if isinstance(thing, TestClient):
            thing.__exit__(None, None, None)
        else:
            thing.close()


def test_a_site_head_nominates_from_the_awards_page_and_the_form_page_shows_its_fields(
        browser: Browser, store: WorkflowApp) -> None:
    excellent(store)
    zhang = browser("zhang")
    page = zhang.get("/awards", params={"period": PERIOD})
    assert page.status_code == 200 and 'action="/awards"' in page.text and "陈晓明（chen）" in page.text
    posted = zhang.post("/awards", data={"advisor": "chen", "period": PERIOD, "deeds": "带班认真",
                                         "csrf": csrf_of(page.text)})
    assert (posted.status_code, posted.headers["location"]) == (303, "/cases/W-1")
    case = zhang.get("/cases/W-1").text
    assert "/cases/W-1/form.docx" in case and "/cases/W-1/form.xlsx" in case
    zhang.post("/cases/W-1/approve", data={"comment": "同意推荐", "csrf": csrf_of(case)})
    form = zhang.get("/cases/W-1/form").text
    for shown in ("陈晓明", "男", "1980-05", "中共党员", "南宁校外教学点", "带班认真", "同意推荐", "张建国"):
        assert shown in form, shown
    listed = zhang.get("/awards", params={"period": PERIOD}).text
    assert "陈晓明" in listed and 'href="/cases/W-1"' in listed
    download = zhang.get("/cases/W-1/form.docx")
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_a_refused_nomination_shows_the_form_again_with_the_refusal(
        browser: Browser, store: WorkflowApp) -> None:
    appointed(store)  # liu (柳州) holds no 优秀
    huang = browser("huang")
    page = huang.get("/awards")
    again = huang.post("/awards", data={"advisor": "liu", "period": PERIOD, "deeds": "认真",
                                        "csrf": csrf_of(page.text)})
    assert again.status_code == 422 and 'role="alert"' in again.text and "认真" in again.text


def test_the_form_page_of_a_case_the_reader_may_not_read_is_refused(
        browser: Browser, store: WorkflowApp) -> None:
    excellent(store)
    store.awards.nominate("chen", PERIOD, "带班认真", None, "zhang")
    assert browser("huang").get("/cases/W-1/form").status_code == 403
    assert browser("huang").get("/cases/W-1/form.xlsx").status_code == 403


def test_the_aksu_allowance_page_shows_names_rules_and_totals_per_unit(other: Any) -> None:
    app, as_ = other(aksu, ["ma", "xue", "tian"])
    month = app.reads.appointments()[0]["start"][:7]
    page = as_("xue").get("/allowance", params={"month": month})
    assert page.status_code == 200
    for shown in ("田老师", "机电1班", "机电工程系", "11 × 40 students (高职)",
                  "excluded: 专职 advisors are paid otherwise", "%.2f" % app.reads.allowance(month)["total"]):
        assert shown in page.text, shown
    assert f'href="/allowance.xlsx?month={month}"' in page.text
    assert as_("tian").get("/allowance", params={"month": month}).status_code == 403


def test_an_advisor_logs_a_talk_and_reads_their_norms(browser: Browser, store: WorkflowApp) -> None:
    appointed(store)
    chen = browser("chen")
    page = chen.get("/log")
    assert page.status_code == 200 and "会计1班" in page.text
    activity = store.reads.activities()[0]["activity"]
    day = store.reads.appointments("chen")[0]["start"][:10]
    done = chen.post("/log", data={"activity": activity, "date": day, "count": "1",
                                   "class": "kj1", "note": "谈心", "csrf": csrf_of(page.text)})
    assert (done.status_code, done.headers["location"]) == (303, f"/log?done={day}")
    report = store.reads.norms("chen", PERIOD)
    assert report["entries"] == 1
    norms = chen.get("/norms", params={"period": PERIOD})
    assert norms.status_code == 200
    for n in report["norms"]:
        assert n["label"] in norms.text
    assert chen.get("/norms", params={"period": PERIOD, "advisor": "liu"}).status_code == 403
    assert browser("li").get("/norms", params={"period": PERIOD,
                                               "advisor": "chen"}).status_code == 200
    bad = chen.post("/log", data={"activity": activity, "date": "not-a-day",
                                  "csrf": csrf_of(page.text)})
    assert bad.status_code == 400 and 'role="alert"' in bad.text


def test_a_department_opens_a_dismissal_with_its_ground_chosen_by_label(other: Any) -> None:
    app, as_ = other(aksu, ["ma", "tian"])
    ma = as_("ma")
    page = ma.get("/open").text
    assert "解聘" in page and "选聘" in page and "触犯法律受到处罚者" in page and "田老师（tian）" in page
    assert "连续两学期工作考核不合格者" not in page  # automatic: opened by the rule itself
    assert 'name="student_number"' not in page  # no kind of Aksu's names a student
    posted = ma.post("/open", data={"kind": "dismissal", "subject": "tian", "class": "jd1",
                                    "ground": "legal_punishment", "csrf": csrf_of(page)})
    assert posted.status_code == 303
    assert app.reads.show(posted.headers["location"].rsplit("/", 1)[1])["data"]["ground"] == \
        "legal_punishment"
    assert "open.none" in as_("tian").get("/open").text or \
        'action="/open"' not in as_("tian").get("/open").text


def test_a_counsellor_opens_jiyuans_discipline_case_naming_the_student(other: Any) -> None:
    app, as_ = other(jiyuan, ["fdy", "bzr"])
    fdy = as_("fdy")
    page = fdy.get("/open").text
    assert "对违纪学生的处理" in page and 'name="student_number"' in page
    posted = fdy.post("/open", data={"kind": "discipline", "class": "xx1", "student": "王小明",
                                     "student_number": "20260315", "note": "旷课",
                                     "csrf": csrf_of(page)})
    assert posted.status_code == 303, posted.text
    shown = app.reads.show(posted.headers["location"].rsplit("/", 1)[1])
    assert shown["student"] == {"name": "王小明", "number": "20260315"}
    missing = fdy.post("/open", data={"kind": "discipline", "class": "xx1", "csrf": csrf_of(page)})
    assert missing.status_code == 400 and 'role="alert"' in missing.text


def test_the_norms_page_counts_no_week_before_the_appointment_or_ahead_as_short(
        other: Any) -> None:
    app, as_ = other(aksu, ["xue", "tian", "zhuan"])
    report = app.reads.norms("tian", PERIOD)
    windows = [w for n in report["norms"] for w in n["windows"]]
    assert windows and not any(w["short"] for w in windows if w.get("not_due"))
    page = as_("xue").get("/norms", params={"period": PERIOD, "advisor": "tian"})
    assert page.status_code == 200 and "田老师" in page.text
    for n in report["norms"]:
        assert n["label"] in page.text
    assert page.text.count('class="not-due"') == sum(1 for w in windows if w.get("not_due"))
    assert page.text.count('class="short"') == sum(1 for w in windows if w["short"]
                                                   and not w.get("not_due"))
    mine = as_("tian").get("/norms", params={"period": PERIOD})
    assert mine.status_code == 200 and "深入学生宿舍" in mine.text
    assert as_("zhuan").get("/norms", params={"period": PERIOD,
                                              "advisor": "tian"}).status_code == 403


def test_aksus_awards_page_shows_the_places_left_of_its_top_ten(other: Any) -> None:
    app, as_ = other(aksu, ["ma"])
    assert app.reads.award_places("2026-2027") == [
        {"distinction": "top_ten", "label": "十佳班主任", "period": "2026-2027", "places": 10,
         "taken": [], "left": 10}]
    page = as_("ma").get("/awards", params={"period": "2026-2027"}).text
    assert "十佳班主任 2026-2027" in page and "<strong>10</strong>" in page
    assert 'name="distinction" required' in page and "年度考核连续三年优秀" in page
    semester = as_("ma").get("/awards", params={"period": "2026-2027-1"})
    assert semester.status_code == 400 and "2026-2027" in semester.text
