"""Names everywhere (issue 21 item 9): the inbox, 我的, the results and the audit show people, classes and units by name, in the JSON beside the logins and codes CLI.md defines and on the pages; the case page's actions are labelled."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from bzr_workflow.application import WorkflowApp

Browser = Callable[[str | None], TestClient]


def applied(store: WorkflowApp) -> str:
    return str(store.cases.recruit_apply("kj1", None, "2026-12-01", "我愿意", "chen")["id"])


def test_the_inbox_json_carries_names_beside_the_login_and_codes(store: WorkflowApp,
                                                                 browser: Browser) -> None:
    ref = applied(store)
    [row] = [r for r in browser("zhang").get("/api/v1/inbox").json() if r["id"] == ref]
    assert (row["subject"], row["class"], row["unit"]) == ("chen", "kj1", "nanning")
    assert (row["subject_name"], row["class_name"], row["unit_name"],
            row["opener_name"]) == ("陈晓明", "会计1班", "南宁校外教学点", "陈晓明")


def test_the_inbox_and_mine_pages_show_names_not_logins(store: WorkflowApp,
                                                        browser: Browser) -> None:
    ref = applied(store)
    for who, page in (("zhang", "/"), ("chen", "/mine")):
        text = browser(who).get(page).text
        row = text.split(f'href="/cases/{ref}"', 1)[1].split("</tr>", 1)[0]
        assert all(n in row for n in ("陈晓明", "会计1班", "南宁校外教学点")), row
        assert ">chen<" not in row and ">kj1<" not in row and ">nanning<" not in row


def test_the_case_page_names_the_class_and_unit_beside_their_codes(store: WorkflowApp,
                                                                  browser: Browser) -> None:
    ref = applied(store)
    text = browser("zhang").get(f"/cases/{ref}").text
    fields = text.split('<dl class="fields">', 1)[1].split("</dl>", 1)[0]
    assert "会计1班" in fields and "南宁校外教学点" in fields and "陈晓明" in fields
    assert "<dd>kj1</dd>" not in fields and "<dd>nanning</dd>" not in fields


def test_the_audit_names_who_acted(store: WorkflowApp, browser: Browser) -> None:
    ref = applied(store)
    store.cases.approve(ref, "zhang", "同意推荐")
    auditor = browser("admin")
    rows = auditor.get(f"/api/v1/audit?case={ref}").json()
    assert [(r["actor"], r["actor_name"]) for r in rows] == [("chen", "陈晓明"),
                                                             ("zhang", "张建国")]
    page = auditor.get(f"/audit?case={ref}").text
    assert "张建国" in page and ">zhang<" not in page


def test_a_personal_name_erased_reads_as_erased_in_the_names(store: WorkflowApp,
                                                            browser: Browser) -> None:
    ref = applied(store)
    store.org.erase_person("chen", "admin")
    [row] = [r for r in store.reads.inbox("zhang") if r["id"] == ref]
    assert row["subject"] == "chen" and row["subject_name"] != "陈晓明"


def test_results_name_the_advisor_and_unit_and_translate_the_state(
        store: WorkflowApp, browser: Browser) -> None:
    [case] = store.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "admin",
                                              True, early=True)
    [row] = store.reads.results("2026-2027-1").rows
    assert (row["advisor_name"], row["unit_name"]) == ("陈晓明", "南宁校外教学点")
    page = browser("li").get("/results?period=2026-2027-1").text
    assert "陈晓明" in page and "南宁校外教学点" in page and ">open<" not in page
    assert case["id"] in page


def test_classes_name_their_unit_and_advisors(store: WorkflowApp) -> None:
    row = next(c for c in store.reads.classes() if c["class"] == "tm1")
    assert (row["name"], row["unit_name"]) == ("土木1班", "柳州助学单位")


def test_a_case_and_its_history_from_the_api_carry_the_names(store: WorkflowApp,
                                                             browser: Browser) -> None:
    ref = applied(store)
    store.cases.approve(ref, "zhang", "同意推荐")
    head = browser("zhang")
    shown = head.get(f"/api/v1/cases/{ref}").json()
    assert (shown["subject"], shown["subject_name"], shown["class_name"],
            shown["unit_name"]) == ("chen", "陈晓明", "会计1班", "南宁校外教学点")
    history = head.get(f"/api/v1/cases/{ref}/history").json()
    assert [(e["actor"], e["actor_name"]) for e in history] == [("chen", "陈晓明"),
                                                               ("zhang", "张建国")]


def test_the_audit_download_names_who_acted_beside_the_columns_it_had(store: WorkflowApp,
                                                                       browser: Browser) -> None:
    import csv
    import io

    ref = applied(store)
    store.cases.approve(ref, "zhang", "同意推荐")
    body = browser("admin").get("/audit.csv", params={"case": ref}).content
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    named = header.index("办理人姓名")  # after the columns it was added behind, in their places
    assert header[:named] == ["时间", "办理人", "操作", "案件", "对象", "环节", "环节名称", "转至",
                              "意见", "事件位置"]
    assert [(r[1], r[named]) for r in rows] == [("chen", "陈晓明"), ("zhang", "张建国")]
