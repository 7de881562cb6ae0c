"""`notify set/show/send/list` and `user update --email` through the CLI, on a real SQLite store,
with a real SMTP server on loopback (aiosmtpd): exit codes, JSON, one line on a refusal."""

from __future__ import annotations

import socket
from typing import Any

from clirun import invoke, ok, organise
from noticerun import LoopbackSMTP, smtp  # noqa: F401 (fixture)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_notify_set_send_and_list_mail_a_pending_step(tmp_path: Any,
                                                      smtp: LoopbackSMTP) -> None:
    db = str(tmp_path / "store.db")
    organise(db)
    hook = f"http://127.0.0.1:{closed_port()}/robot/send"
    shown = ok(db, "notify", "set", "--smtp", f"127.0.0.1:{smtp.port}", "--from",
               "bzr@gxu.edu.cn", "--webhook", hook + "?access_token=S", actor="admin")
    assert shown["webhooks"] == [hook + "?…"]
    assert ok(db, "user", "update", "zhang", "--email", "zhang@gxu.edu.cn",
              actor="admin")["email"] == "zhang@gxu.edu.cn"
    ok(db, "recruit", "apply", "--class", "kj1", actor="chen")
    counts = ok(db, "notify", "send")
    assert (counts["queued"], counts["sent"]) == (2, 1)  # the robot is not listening
    assert [rcpt for rcpt, _ in smtp.received] == [["zhang@gxu.edu.cn"]]
    rows = ok(db, "notify", "list", actor="li")
    assert {(r["channel"], r["recipient_name"], r["state"]) for r in rows} >= {
        ("email", "张建国", "sent")}
    assert ok(db, "notify", "send")["sent"] == 0


def test_a_bad_server_is_bad_input_and_a_non_administrator_is_not_permitted(
        tmp_path: Any) -> None:
    db = str(tmp_path / "store.db")
    organise(db)
    refused = invoke(db, "notify", "set", "--smtp", "mail.gxu.edu.cn", "--from", "a@b.cn",
                     actor="admin")
    assert refused.exit_code == 2 and refused.stderr.strip().count("\n") == 0
    assert "HOST:PORT" in refused.stderr
    assert invoke(db, "notify", "set", "--webhook", "https://x.cn/h", actor="li").exit_code == 3
    assert invoke(db, "user", "update", "chen", "--email", "not-an-address",
                  actor="admin").exit_code == 2
    assert ok(db, "notify", "list") == []
    assert invoke(db, "notify", "list", actor="chen").exit_code == 3
