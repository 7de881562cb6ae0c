"""The administration pages, driven as a browser would (forms, cookies, the hidden csrf, multipart uploads) over a real SQLite store: what an administrator may do, and that nobody else may."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from bzr_workflow.application import WorkflowApp
from pagerun import csrf_of

Browser = Callable[[str | None], TestClient]
PAGES = ["/admin", "/admin/units", "/admin/people", "/admin/people/chen", "/admin/classes",
         "/admin/policy", "/admin/import"]


def post_form(client: TestClient, page: str, action: str, **fields: str) -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(action, data={**fields, "csrf": token})


def upload(client: TestClient, what: str, name: str, body: bytes,
           csrf: str | None = None) -> Any:
    token = csrf_of(client.get("/admin/import").text) if csrf is None else csrf
    return client.post(f"/admin/import/{what}", data={"csrf": token},
                       files={"file": (name, body, "application/octet-stream")})


@pytest.mark.parametrize("page", PAGES)
def test_every_admin_page_is_refused_to_someone_who_is_not_an_administrator(
        browser: Browser, page: str) -> None:
    answer = browser("zhang").get(page)
    assert answer.status_code == 403, answer.text[:500]
    assert "admin" in answer.text


def test_the_admin_link_shows_for_administrators_only(browser: Browser) -> None:
    assert 'href="/admin"' in browser("admin").get("/").text
    assert 'href="/admin"' not in browser("zhang").get("/").text


def test_an_administrator_adds_a_unit_under_a_parent_and_sees_it_by_name(
        store: WorkflowApp, browser: Browser) -> None:
    admin = browser("admin")
    answer = post_form(admin, "/admin/units", "/admin/units", code="guilin",
                       name="桂林校外教学点", parent="ce")
    assert (answer.status_code, answer.headers["location"]) == (303, "/admin/units")
    assert any((u["unit"], u["name"], u["parent"], u["path"]) == ("guilin", "桂林校外教学点", "ce",
                                                                 "ce/guilin")
               for u in store.reads.units())
    page = admin.get("/admin/units").text
    assert "桂林校外教学点" in page and "继续教育学院" in page


def test_a_form_without_the_sessions_csrf_changes_nothing(store: WorkflowApp,
                                                          browser: Browser) -> None:
    admin = browser("admin")
    answer = admin.post("/admin/units", data={"code": "x1", "name": "某单位", "csrf": "wrong"})
    assert answer.status_code == 401
    assert all(u["unit"] != "x1" for u in store.reads.units())


def test_someone_not_an_administrator_posting_with_their_own_csrf_is_refused(
        store: WorkflowApp, browser: Browser) -> None:
    head = browser("zhang")
    answer = post_form(head, "/", "/admin/people", login="mallory", name="某人",
                       grant="admin")
    assert answer.status_code == 403
    assert all(u["user"] != "mallory" for u in store.reads.users())


def test_people_are_listed_by_name_with_their_roles_by_the_policys_labels(
        browser: Browser) -> None:
    page = browser("admin").get("/admin/people").text
    assert "张建国" in page and "校外教学点负责人 · 南宁校外教学点" in page
    assert '<option value="site_head@liuzhou">校外教学点负责人 · 柳州助学单位</option>' in page


def test_an_administrator_adds_a_person_grants_and_revokes_a_role_from_the_lists(
        store: WorkflowApp, browser: Browser) -> None:
    admin = browser("admin")
    answer = post_form(admin, "/admin/people", "/admin/people", login="Zhou", name="周杰",
                       grant="site_head@liuzhou")
    assert (answer.status_code, answer.headers["location"]) == (303, "/admin/people/zhou")
    assert [tuple(g) for g in store.user("zhou").grants] == [("site_head", "liuzhou")]
    post_form(admin, "/admin/people/zhou", "/admin/people/zhou/grant", grant="ce_college")
    post_form(admin, "/admin/people/zhou", "/admin/people/zhou/revoke",
              grant="site_head@liuzhou")
    assert [tuple(g) for g in store.user("zhou").grants] == [("ce_college", "")]
    page = admin.get("/admin/people/zhou").text
    college = store.policy().roles["ce_college"].label
    roles = page.split('<ul class="roles">', 1)[1].split("</ul>", 1)[0]
    assert "周杰" in page and college in roles and "柳州助学单位" not in roles


def test_a_refused_grant_is_a_page_naming_the_rule(browser: Browser) -> None:
    answer = post_form(browser("admin"), "/admin/people/chen", "/admin/people/chen/grant",
                       grant="site_head")
    assert answer.status_code == 400
    assert "site_head@UNIT" in answer.text


def test_profile_fields_are_stored_sealed_and_shown_to_the_administrator(
        store: WorkflowApp, browser: Browser) -> None:
    admin = browser("admin")
    answer = post_form(admin, "/admin/people/chen", "/admin/people/chen/profile",
                       name="陈晓明", gender="男", phone="0771-1234567")
    assert answer.status_code == 303
    assert store.org.profile(store.user("chen"))["phone"] == "0771-1234567"
    assert "0771-1234567" in admin.get("/admin/people/chen").text


def test_an_administrator_sets_a_password_the_person_then_signs_in_with(
        browser: Browser) -> None:
    answer = post_form(browser("admin"), "/admin/people/liu", "/admin/people/liu/password",
                       password="新的密码-2026", confirm="新的密码-2026")
    assert answer.status_code == 303
    client = browser(None)
    login = client.get("/login")
    signed = client.post("/login", data={"user": "liu", "password": "新的密码-2026",
                                         "csrf": csrf_of(login.text)})
    assert (signed.status_code, signed.headers["location"]) == (303, "/")


def test_an_invitation_link_is_shown_once_and_opens_the_invitation_page(
        browser: Browser) -> None:
    admin = browser("admin")
    answer = post_form(admin, "/admin/people/liu", "/admin/people/liu/invite", hours="24")
    assert answer.status_code == 200
    link = answer.text.split('href="http://testserver/invite/', 1)[1].split('"', 1)[0]
    assert browser(None).get(f"/invite/{link}").status_code == 200
    assert link not in admin.get("/admin/people/liu").text  # only the answer showed it


def test_an_api_token_is_listed_and_revoked_from_the_persons_page(
        store: WorkflowApp, browser: Browser) -> None:
    made = store.credentials.issue_token("chen", "laptop", "admin")
    admin = browser("admin")
    assert "laptop" in admin.get("/admin/people/chen").text
    answer = post_form(admin, "/admin/people/chen", "/admin/people/chen/tokens/revoke",
                       name="laptop")
    assert answer.status_code == 303
    assert store.credentials.bearer(made["token"]) is None


def test_an_administrator_adds_and_updates_a_class(store: WorkflowApp,
                                                   browser: Browser) -> None:
    admin = browser("admin")
    answer = post_form(admin, "/admin/classes", "/admin/classes", code="kj3", name="会计3班",
                       unit="liuzhou", students="40", level="专升本", graduating="no")
    assert (answer.status_code, answer.headers["location"]) == (303, "/admin/classes")
    answer = post_form(admin, "/admin/classes", "/admin/classes/update", code="kj3",
                       students="42", graduating="yes")
    assert answer.status_code == 303
    row = next(c for c in store.reads.classes() if c["class"] == "kj3")
    assert (row["students"], row["graduating"], row["unit_name"]) == (42, True, "柳州助学单位")
    assert "会计3班" in admin.get("/admin/classes").text


def test_a_class_with_a_bad_count_is_refused_as_a_page(store: WorkflowApp,
                                                       browser: Browser) -> None:
    answer = post_form(browser("admin"), "/admin/classes", "/admin/classes", code="kj4",
                       name="会计4班", unit="liuzhou", students="很多", level="专升本")
    assert answer.status_code == 400 and "很多" in answer.text
    assert all(c["class"] != "kj4" for c in store.reads.classes())


def test_policy_versions_and_their_diff_are_shown(store: WorkflowApp, tmp_path: Any,
                                                  browser: Browser) -> None:
    from bzr_workflow.policies import builtin_text

    text = builtin_text("guilin-ut-ce-2024")
    assert text is not None
    changed = tmp_path / "guilin2.toml"
    changed.write_text(text.replace('name = "', 'name = "新 ', 1), encoding="utf-8")
    store.org.update_user("admin", {"name": "系统管理员甲"}, "admin")
    store.org.adopt_policy(str(changed), "admin")
    admin = browser("admin")
    page = admin.get("/admin/policy").text
    assert "guilin-ut-ce-2024" in page and "系统管理员甲" in page
    diff = admin.get("/admin/policy?a=1&b=2").text
    added = diff.split('class="diff-added">', 1)[1].split("</span>", 1)[0]
    assert added.startswith("+") and "新 " in added
    refused = admin.get("/admin/policy?a=1&b=/etc/passwd")
    assert refused.status_code == 400 and "root:" not in refused.text


def test_an_upload_of_users_adds_every_row(store: WorkflowApp, browser: Browser) -> None:
    body = "账号,姓名,角色\nsun,孙婷,\nma,马明,site_head@liuzhou\n".encode("utf-8")
    answer = upload(browser("admin"), "users", "people.csv", body)
    assert (answer.status_code, answer.headers["location"]) == (
        303, "/admin/import?done=users&n=2")
    assert store.user("ma").name == "马明"


def test_an_upload_with_a_bad_row_adds_none_and_names_that_row_of_the_sheet(
        store: WorkflowApp, browser: Browser) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [("班级代码", "班级名称", "单位", "人数", "层次"), ("kj5", "会计5班", "nanning", 30, "专升本"),
                ("kj6", "会计6班", "nowhere", 30, "专升本")]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    answer = upload(browser("admin"), "classes", "新班级.xlsx", out.getvalue())
    assert answer.status_code == 400, answer.text[:800]
    assert "新班级.xlsx：第 3 行：未知单位" in answer.text
    assert all(c["class"] not in ("kj5", "kj6") for c in store.reads.classes())
    folder = str(store.location.path) + ".uploads"
    assert os.listdir(folder) == []  # the spooled file is gone
    assert oct(os.stat(folder).st_mode & 0o777) == "0o700"


def test_an_upload_without_the_csrf_or_by_someone_else_is_refused(
        store: WorkflowApp, browser: Browser) -> None:
    body = "user,name,roles\nmallory,某人,admin\n".encode("utf-8")
    assert upload(browser("admin"), "users", "x.csv", body, csrf="wrong").status_code == 401
    head = browser("zhang")
    token = csrf_of(head.get("/").text)
    assert upload(head, "users", "x.csv", body, csrf=token).status_code == 403
    assert all(u["user"] != "mallory" for u in store.reads.users())


def test_an_upload_of_another_kind_of_file_is_refused(browser: Browser) -> None:
    answer = upload(browser("admin"), "users", "people.exe", b"MZ")
    assert answer.status_code == 400 and ".csv" in answer.text


def test_an_upload_has_its_own_cap_above_the_body_cap(store: WorkflowApp,
                                                      browser: Browser) -> None:
    pad = ",".join(["x" * 6000] * 20)  # columns the import does not read: ~1.2 MiB in all
    header = "user,name,roles," + ",".join(f"n{i}" for i in range(20))
    rows = "".join(f"p{i},某人{i},,{pad}\n" for i in range(10))
    body = (header + "\n" + rows).encode("utf-8")
    assert len(body) > 1 << 20
    admin = browser("admin")
    answer = upload(admin, "users", "many.csv", body)
    assert answer.status_code == 303, answer.text[:500]
    too_big = upload(admin, "users", "huge.csv", b"x" * (6 << 20))
    assert too_big.status_code == 413


def test_an_empty_row_keeps_the_numbering_of_the_rows_after_it(store: WorkflowApp,
                                                                browser: Browser) -> None:
    body = "user,name,roles\nsun,孙婷,\n\n,,\nma,马明,site_head@nowhere\n".encode("utf-8")
    answer = upload(browser("admin"), "users", "people.csv", body)
    assert answer.status_code == 400, answer.text[:500]
    assert "people.csv：第 5 行" in answer.text, answer.text[-1500:]
    assert all(u["user"] != "sun" for u in store.reads.users())


ACTIONS = [("/admin/units", {"code": "x9", "name": "某单位"}),
           ("/admin/people/zhang/grant", {"grant": "admin"}),
           ("/admin/people/zhang/revoke", {"grant": "site_head@nanning"}),
           ("/admin/people/zhang/profile", {"name": "某人"}),
           ("/admin/people/zhang/password", {"password": "x" * 12, "confirm": "x" * 12}),
           ("/admin/people/zhang/invite", {"hours": "1"}),
           ("/admin/people/zhang/tokens/revoke", {"name": "mine"}),
           ("/admin/classes", {"code": "x9", "name": "某班", "unit": "nanning",
                               "students": "1", "level": "专升本"}),
           ("/admin/classes/update", {"code": "kj1", "students": "1"})]


@pytest.mark.parametrize(("action", "fields"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_every_admin_form_posted_by_someone_else_with_their_csrf_is_403_and_writes_nothing(
        store: WorkflowApp, browser: Browser, action: str, fields: dict[str, str]) -> None:
    store.credentials.issue_token("zhang", "mine", "zhang")
    before = len(store.reads.audit())
    answer = post_form(browser("zhang"), "/", action, **fields)
    assert answer.status_code == 403, answer.text[:500]
    assert len(store.reads.audit()) == before
