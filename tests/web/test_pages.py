"""The pages, driven as a browser would (forms, cookies, the hidden csrf) over a real SQLite store."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bzr_workflow.application import WorkflowApp
from pagerun import csrf_of, password

Browser = Callable[[str | None], TestClient]


def applied(store: WorkflowApp, who: str = "chen", klass: str = "kj1") -> str:
    return str(store.cases.recruit_apply(klass, None, "2026-12-01", "我愿意", who)["id"])


def post_form(client: TestClient, page: str, action: str, **fields: str) -> object:
    """Post a form found on `page` with the csrf the page carries."""
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**fields, "csrf": token})


def test_a_page_for_someone_not_signed_in_sends_them_to_sign_in(browser: Browser) -> None:
    answer = browser(None).get("/")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")


def test_the_inbox_lists_the_case_with_its_kind_counted(store: WorkflowApp,
                                                         browser: Browser) -> None:
    ref = applied(store)
    page = browser("zhang").get("/").text
    assert f'href="/cases/{ref}"' in page and "班主任选聘" in page


def test_the_case_page_draws_the_pipeline_and_offers_the_site_heads_forms(
        store: WorkflowApp, browser: Browser) -> None:
    ref = applied(store)
    page = browser("zhang").get(f"/cases/{ref}").text
    assert all(x in page for x in ("推荐单位审核", "校外教学点负责人", f"/cases/{ref}/approve",
                                   f"/cases/{ref}/veto", f"/cases/{ref}/return"))


def test_the_candidate_is_offered_withdraw_and_no_sign_off(store: WorkflowApp,
                                                           browser: Browser) -> None:
    ref = applied(store)
    page = browser("chen").get(f"/cases/{ref}").text
    assert f"/cases/{ref}/withdraw" in page and f"/cases/{ref}/approve" not in page


def test_signing_off_through_the_form_moves_the_case(store: WorkflowApp,
                                                     browser: Browser) -> None:
    ref = applied(store)
    answer = post_form(browser("zhang"), f"/cases/{ref}", f"/cases/{ref}/approve",
                       comment="同意推荐")
    assert (answer.status_code, answer.headers["location"],  # type: ignore[attr-defined]
            store.reads.show(ref)["step"]) == (303, f"/cases/{ref}", "college_approval")


def test_a_missing_csrf_token_is_refused_and_writes_nothing(store: WorkflowApp,
                                                            browser: Browser) -> None:
    ref = applied(store)
    answer = browser("zhang").post(f"/cases/{ref}/approve", data={"comment": "同意"})
    assert (answer.status_code, len(store.reads.history(ref))) == (401, 1)


def test_a_forged_csrf_token_is_refused_and_writes_nothing(store: WorkflowApp,
                                                           browser: Browser) -> None:
    ref = applied(store)
    answer = browser("zhang").post(f"/cases/{ref}/veto",
                                   data={"reason": "不同意", "csrf": "forged"})
    assert (answer.status_code, store.reads.show(ref)["state"]) == (401, "open")


def test_a_refusal_is_shown_in_chinese_with_who_signs_instead(store: WorkflowApp,
                                                              browser: Browser) -> None:
    ref = applied(store)
    client = browser("li")  # reads the case (a later step is theirs), may not sign this one
    answer = client.post(f"/cases/{ref}/approve", data={"comment": "x", "csrf": csrf_of(
        client.get("/").text)})
    assert answer.status_code == 403 and "您无权办理此操作" in answer.text \
        and "校外教学点负责人" in answer.text


def test_a_refusal_is_shown_in_english_to_an_english_browser(store: WorkflowApp,
                                                             browser: Browser) -> None:
    ref = applied(store)
    client = browser("huang")
    answer = client.post(f"/cases/{ref}/veto", headers={"accept-language": "en"},
                         data={"reason": "no", "csrf": csrf_of(client.get("/").text)})
    assert answer.status_code == 403 and "You may not do this." in answer.text


def test_the_refusals_detail_is_in_the_readers_language(store: WorkflowApp,
                                                          browser: Browser) -> None:
    ref = applied(store)
    client = browser("li")
    token = csrf_of(client.get("/").text)
    zh = client.post(f"/cases/{ref}/approve", data={"comment": "x", "csrf": token})
    en = client.post(f"/cases/{ref}/approve", headers={"accept-language": "en"},
                     data={"comment": "x", "csrf": token})
    assert "应由" in zh.text and "awaits" not in zh.text
    assert "awaits" in en.text and "应由" not in en.text


def test_the_case_as_it_stood_shows_the_earlier_step_read_only(store: WorkflowApp,
                                                               browser: Browser) -> None:
    ref = applied(store)
    time.sleep(1.05)  # history is read to the second: the sign-off falls in a later one
    store.cases.approve(ref, "zhang", "同意")
    then = store.reads.history(ref)[0]["at"]
    page = browser("li").get(f"/cases/{ref}", params={"as_of": then}).text
    assert "推荐单位审核（校外教学点负责人）" in page and f"/cases/{ref}/approve" not in page


def test_applying_opens_a_case_and_shows_it(store: WorkflowApp, browser: Browser) -> None:
    answer = post_form(browser("chen"), "/apply", "/apply", **{"class": "kj1",
                                                              "start": "2026-12-01",
                                                              "note": "申请"})
    assert (answer.headers["location"],  # type: ignore[attr-defined]
            store.reads.show("R-1")["subject"]) == ("/cases/R-1", "chen")


def test_my_cases_list_what_i_applied_for(store: WorkflowApp, browser: Browser) -> None:
    ref = applied(store)
    applied(store, "liu", "kj2")
    page = browser("chen").get("/mine").text
    assert f'href="/cases/{ref}"' in page and 'href="/cases/R-2"' not in page


def test_the_audit_search_finds_a_persons_decisions(store: WorkflowApp,
                                                    browser: Browser) -> None:
    ref = applied(store)
    store.cases.approve(ref, "zhang", "同意推荐")
    page = browser("admin").get("/audit", params={"actor": "zhang"}).text
    assert "同意推荐" in page and "我愿意" not in page


def test_the_audit_csv_holds_the_same_search(store: WorkflowApp, browser: Browser) -> None:
    ref = applied(store)
    store.cases.approve(ref, "zhang", "=1+1")
    body = browser("admin").get("/audit.csv", params={"actor": "zhang"}).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[2:]
    assert [(r[1], r[8]) for r in rows] == [("zhang", "'=1+1")]


def test_the_audit_xlsx_holds_the_same_search(store: WorkflowApp, browser: Browser) -> None:
    ref = applied(store)
    store.cases.approve(ref, "zhang", "同意")
    body = browser("admin").get("/audit.xlsx", params={"case": ref}).content
    sheet = load_workbook(io.BytesIO(body)).active
    assert [(r[1], r[2]) for r in sheet.iter_rows(min_row=3, values_only=True)] == [
        ("chen", "applied"), ("zhang", "recommended")]


def test_the_integrity_page_shows_the_chain_head_and_the_last_verify(
        store: WorkflowApp, browser: Browser) -> None:
    client = browser("admin")
    post_form(client, "/integrity", "/integrity/verify")
    page = client.get("/integrity").text
    assert store.reads.integrity().head in page and "通过" in page


def test_a_case_the_reader_may_not_read_is_a_403_page(store: WorkflowApp,
                                                      browser: Browser) -> None:
    ref = applied(store)
    answer = browser("liu").get(f"/cases/{ref}")
    assert answer.status_code == 403 and "<html" in answer.text


def test_an_invitation_sets_a_password_once_and_then_signs_in(store: WorkflowApp,
                                                                browser: Browser) -> None:
    store.org.add_user("sun", "孙婷", [], "admin")
    path = store.credentials.invite("sun", "admin")["path"]
    client = browser(None)
    form = client.get(path)
    assert form.status_code == 200 and "sun" in form.text
    done = client.post(path, data={"password": "新密码-sun-1", "confirm": "新密码-sun-1",
                                   "csrf": csrf_of(form.text)})
    assert (done.status_code, done.headers["location"]) == (303, "/login")
    assert store.credentials.sign_in("sun", "新密码-sun-1", "127.0.0.1").login == "sun"
    assert client.get(path).status_code == 403  # used once


def test_changing_ones_password_ends_the_other_sessions(browser: Browser) -> None:
    here, there = browser("zhang"), browser("zhang")
    form = here.get("/password")
    changed = here.post("/password", data={"old": password("zhang"), "new": "another-pw-1",
                                           "confirm": "another-pw-1", "csrf": csrf_of(form.text)})
    assert changed.status_code == 200 and here.get("/").status_code == 200
    assert there.get("/").headers.get("location") == "/login"


def test_a_closed_case_refused_on_a_page_says_so_in_chinese_and_in_english_when_asked(
        store: WorkflowApp, browser: Browser) -> None:
    ref = applied(store)
    store.cases.veto(ref, "zhang", "名额已满")
    client = browser("zhang")
    token = csrf_of(client.get("/").text)
    zh = client.post(f"/cases/{ref}/approve", data={"comment": "x", "csrf": token})
    en = client.post(f"/cases/{ref}/approve", headers={"accept-language": "en"},
                     data={"comment": "x", "csrf": token})
    assert zh.status_code == en.status_code == 422
    assert f"{ref} 已否决（zhang 否决），没有待办理的环节" in zh.text and "pending" not in zh.text
    assert f"{ref} is vetoed (vetoed by zhang); nothing is pending" in en.text


def test_the_audit_page_names_actions_in_chinese(store: WorkflowApp, browser: Browser) -> None:
    store.org.add_user("zhou", "周杰", [], "admin")
    page = browser("admin").get("/audit", params={"actor": "admin"}).text
    assert "注册" in page and ">registered<" not in page
