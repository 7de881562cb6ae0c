"""The engine's due work tells people: a step past its time limit, found by the deadlines, is
mailed to the holders of its role by the same run that `remind` and `serve`'s scheduler make,
on a real SMTP server on loopback, once per due date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bzr_workflow.application import WorkflowApp
from bzr_workflow.application.duework import run_due_work
from noticerun import LoopbackSMTP, body, smtp  # noqa: F401


def test_a_step_past_its_time_limit_is_mailed_to_its_holders_once_by_the_due_work(
        sqlite_app: WorkflowApp, smtp: LoopbackSMTP) -> None:
    app = sqlite_app
    ref = app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"]
    app.notices.configure(f"127.0.0.1:{smtp.port}", "bzr@gxu.edu.cn", "", "", [], "", "admin")
    app.org.update_user("zhang", {"email": "zhang@gxu.edu.cn"}, "admin")
    later = datetime.now(UTC) + timedelta(days=30)
    app.clock = lambda: later  # type: ignore[method-assign]
    done = run_due_work(app)
    [late] = [o for o in done["overdue"] if o["case"] == ref]
    assert done["notices"]["sent"] >= 1
    [mail] = smtp.to("zhang@gxu.edu.cn")
    assert mail["Subject"] == f"逾期：陈晓明的班主任选聘（{ref}）“推荐单位审核”已逾期"
    assert f"已于{late['due'][:16].replace('T', ' ')}到期" in body(mail)
    run_due_work(app)
    assert len(smtp.to("zhang@gxu.edu.cn")) == 1
