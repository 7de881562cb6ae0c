"""Notices through the application on real stores, told to a real SMTP server (aiosmtpd) and a
real HTTP receiver on loopback: who is told of a step pending, a return, a 公示 opening and an
overdue step; retries with back-off; sent at most once, even by two processes racing; and a
sign-off that never waits for, nor fails with, the mail server."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.domain.errors import BadInput, NotPermitted
from noticerun import FlakyReceiver, LoopbackSMTP, body, smtp  # noqa: F401
from racing import race
from suzhou_year import make_year

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
EMAILS = {"zhang": "zhang@gxu.edu.cn", "boss": "boss@gxu.edu.cn", "huang": "huang@gxu.edu.cn",
          "chen": "chen@gxu.edu.cn"}


def mailing(app: WorkflowApp, server: LoopbackSMTP, webhooks: list[str] | None = None) -> None:
    app.notices.configure(f"127.0.0.1:{server.port}", "bzr@gxu.edu.cn", "", "",
                          webhooks or [], "https://bzr.gxu.edu.cn", "admin")
    for login, address in EMAILS.items():
        app.org.update_user(login, {"email": address}, "admin")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_pending_step_is_mailed_to_each_holder_of_its_role_over_the_case_unit(
        app: WorkflowApp, smtp: LoopbackSMTP) -> None:
    mailing(app, smtp)
    app.cases.recruit_apply("kj1", None, None, "申请", "chen")
    assert app.notices.tick(T0)["sent"] == 2
    assert {r for rcpt, _ in smtp.received for r in rcpt} == {"zhang@gxu.edu.cn",
                                                              "boss@gxu.edu.cn"}
    [mail] = smtp.to("zhang@gxu.edu.cn")
    assert mail["Subject"] == "待办：陈晓明的班主任选聘（R-1）待推荐单位审核"
    assert mail["From"] == "bzr@gxu.edu.cn"
    assert body(mail).startswith("张建国，您好：陈晓明的班主任选聘（R-1）已到“推荐单位审核”环节")
    assert "https://bzr.gxu.edu.cn/cases/R-1" in body(mail)


def test_a_return_is_mailed_to_the_applicant_naming_who_returned_it(
        sqlite_app: WorkflowApp, smtp: LoopbackSMTP) -> None:
    mailing(sqlite_app, smtp)
    ref = sqlite_app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"]
    sqlite_app.cases.return_case(ref, "zhang", "材料不全")
    sqlite_app.notices.tick(T0)
    [mail] = smtp.to("chen@gxu.edu.cn")
    assert mail["Subject"] == "退回：您的班主任选聘（R-1）已退回至个人报名"
    assert "陈晓明，您好：您的班主任选聘（R-1）已被张建国退回" in body(mail)
    assert smtp.to("zhang@gxu.edu.cn") == [], "the step returned from no longer awaits him"


def test_a_public_announcement_is_mailed_to_its_subject(sqlite_url: str,
                                                        smtp: LoopbackSMTP) -> None:
    app = make_year(open_app(parse_location(sqlite_url), create=True))
    try:
        app.notices.configure(f"127.0.0.1:{smtp.port}", "bzr@gaobo.edu.cn", "", "", [], "",
                              "admin")
        app.org.update_user("zheng", {"email": "zheng@gaobo.edu.cn"}, "admin")
        ref = next(c["id"] for c in app.reads.cases()
                   if c["subject"] == "zheng" and c["kind"] == "appraisal")
        app.cases.approve(ref, "o1", "")
        app.cases.approve(ref, "o2", "")
        app.notices.tick(T0)
        until = app.reads.show(ref)["announcement"]["until"]
        [mail] = smtp.to("zheng@gaobo.edu.cn")
        assert mail["Subject"] == f"公示：您的年度考核（{ref}）结果正在公示"
        assert body(mail) == f"郑涛，您好：您的年度考核（{ref}）结果已进入公示，公示期至{until}。\n"
    finally:
        app.close()


def test_a_webhook_failing_twice_gets_the_notice_once_after_backing_off(
        sqlite_app: WorkflowApp) -> None:
    receiver = FlakyReceiver(failures=2)
    try:
        sqlite_app.notices.configure("", "", "", "", [receiver.url], "", "admin")
        sqlite_app.cases.recruit_apply("kj1", None, None, "申请", "chen")
        assert sqlite_app.notices.tick(T0) == {"queued": 1, "sent": 0, "failed": 1,
                                               "given_up": 0}
        assert sqlite_app.notices.tick(T0 + timedelta(seconds=59))["failed"] == 0  # waiting
        assert sqlite_app.notices.tick(T0 + timedelta(minutes=1))["failed"] == 1
        assert sqlite_app.notices.tick(T0 + timedelta(minutes=2, seconds=59))["sent"] == 0
        assert sqlite_app.notices.tick(T0 + timedelta(minutes=3))["sent"] == 1
        assert sqlite_app.notices.tick(T0 + timedelta(hours=5))["sent"] == 0
        assert receiver.requests == 3
        [got] = receiver.bodies
        assert got["msgtype"] == "text" and set(got) == {"msgtype", "text"}
        assert got["text"]["content"] == (
            "待办：陈晓明的班主任选聘（R-1）待推荐单位审核\n院长、张建国、赵副主任，您好：陈晓明的"
            "班主任选聘（R-1）已到“推荐单位审核”环节，待您以校外教学点负责人身份审批。")
        [row] = sqlite_app.notices.list(None)
        assert (row["state"], row["attempts"], row["channel"]) == ("sent", 3, "webhook")
    finally:
        receiver.close()


def test_a_notice_is_sent_once_however_often_tick_runs(sqlite_app: WorkflowApp,
                                                       smtp: LoopbackSMTP) -> None:
    mailing(sqlite_app, smtp)
    sqlite_app.cases.recruit_apply("kj1", None, None, "申请", "chen")
    for minutes in range(4):
        sqlite_app.notices.tick(T0 + timedelta(minutes=minutes))
    assert len(smtp.received) == 2
    assert [r["state"] for r in sqlite_app.notices.list(None)] == ["sent", "sent"]


def test_two_processes_racing_tick_send_each_notice_once(sqlite_url: str, sqlite_app: WorkflowApp,
                                                         smtp: LoopbackSMTP) -> None:
    mailing(sqlite_app, smtp)
    for klass, candidate in (("kj1", "chen"), ("kj2", "liu")):
        sqlite_app.cases.recruit_apply(klass, None, None, "申请", candidate)
    outcomes = race(sqlite_url, [("a", "notices.tick", ()), ("b", "notices.tick", ())])
    assert [code for _, code, _ in outcomes] == [0, 0]
    assert sorted(r for rcpt, _ in smtp.received for r in rcpt) == [
        "boss@gxu.edu.cn", "boss@gxu.edu.cn", "zhang@gxu.edu.cn", "zhang@gxu.edu.cn"]
    assert len(sqlite_app.notices.list(None)) == 4


def test_a_sign_off_succeeds_while_the_mail_server_is_down(app: WorkflowApp) -> None:
    app.notices.configure(f"127.0.0.1:{closed_port()}", "bzr@gxu.edu.cn", "", "", [], "",
                          "admin")
    app.org.update_user("li", {"email": "li@gxu.edu.cn"}, "admin")
    ref = app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"]
    assert app.cases.approve(ref, "zhang", "同意")["step"] == "college_approval"
    assert app.notices.tick(T0) == {"queued": 1, "sent": 0, "failed": 1, "given_up": 0}
    [row] = app.notices.list(None)
    assert (row["recipient"], row["state"], row["attempts"]) == ("li", "pending", 1)
    assert row["error"].startswith("cannot reach 127.0.0.1:") and "refused" in row["error"]


def test_a_notice_that_keeps_failing_is_given_up_after_eight_attempts(
        sqlite_app: WorkflowApp) -> None:
    sqlite_app.notices.configure("", "", "", "", [f"http://127.0.0.1:{closed_port()}/x"], "",
                                 "admin")
    sqlite_app.cases.recruit_apply("kj1", None, None, "申请", "chen")
    ticks = [sqlite_app.notices.tick(T0 + timedelta(hours=h)) for h in range(10)]
    assert [t["failed"] + t["given_up"] for t in ticks] == [1] * 8 + [0, 0]
    assert ticks[7]["given_up"] == 1
    [row] = sqlite_app.notices.list(None, failed=True)
    assert (row["state"], row["attempts"]) == ("failed", 8)


def test_an_overdue_step_is_mailed_to_its_holders_once_per_due_date(
        sqlite_app: WorkflowApp, smtp: LoopbackSMTP) -> None:
    ref = sqlite_app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"]
    mailing(sqlite_app, smtp)  # after the opening: only the overdue step is told
    late = {"case": ref, "step": "site_review", "step_label": "推荐单位审核",
            "role": "site_head", "holders": ["zhang", "boss"], "due": "2026-12-04"}
    sqlite_app.notices.tick(T0, overdue=[late])
    sqlite_app.notices.tick(T0, overdue=[late])
    assert [m["Subject"] for m in smtp.to("zhang@gxu.edu.cn")] == [
        "逾期：陈晓明的班主任选聘（R-1）“推荐单位审核”已逾期"]
    assert "已于2026-12-04到期" in body(smtp.to("boss@gxu.edu.cn")[0])
    sqlite_app.notices.tick(T0, overdue=[late | {"due": "2026-12-11"}])
    assert len(smtp.to("zhang@gxu.edu.cn")) == 2


def test_nothing_before_the_notices_were_set_is_told(sqlite_app: WorkflowApp,
                                                     smtp: LoopbackSMTP) -> None:
    sqlite_app.cases.recruit_apply("kj1", None, None, "申请", "chen")
    mailing(sqlite_app, smtp)
    assert sqlite_app.notices.tick(T0)["queued"] == 0


def test_the_notices_are_read_by_the_office_and_administrators_only(
        sqlite_app: WorkflowApp) -> None:
    assert sqlite_app.notices.list("li") == []
    with pytest.raises(NotPermitted, match="no office role"):
        sqlite_app.notices.list("chen")


def test_settings_are_an_administrators_and_refuse_a_bad_server(sqlite_app: WorkflowApp) -> None:
    with pytest.raises(BadInput, match="HOST:PORT"):
        sqlite_app.notices.configure("mail.gxu.edu.cn", "bzr@gxu.edu.cn", "", "", [], "",
                                     "admin")
    with pytest.raises(NotPermitted):
        sqlite_app.notices.configure("", "", "", "", ["https://oapi.dingtalk.com/robot/send"],
                                     "", "li")
    shown = sqlite_app.notices.configure(
        "", "", "", "", ["https://oapi.dingtalk.com/robot/send?access_token=SECRET"], "", "admin")
    assert shown["webhooks"] == ["https://oapi.dingtalk.com/robot/send?…"]



def test_notice_texts_and_addresses_are_sealed_and_erased_with_the_person(
        sqlite_app: WorkflowApp, smtp: LoopbackSMTP) -> None:
    from bzr_workflow.adapters.personal import ERASED

    mailing(sqlite_app, smtp)
    sqlite_app.cases.recruit_apply("kj1", None, None, "申请", "chen")
    sqlite_app.notices.tick(T0)
    states = b"".join(bytes(n.state) for n in sqlite_app.recorder.select_notifications(
        start=None, limit=10_000))
    assert "陈晓明".encode() not in states and b"chen@gxu.edu.cn" not in states
    sqlite_app.org.erase_person("chen", "admin")
    assert {r["text"] for r in sqlite_app.notices.list(None)} == {ERASED}
