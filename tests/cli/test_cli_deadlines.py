"""`overdue`, `remind` and the inbox's due marks from the command line; `remind` racing itself in
separate OS processes on one SQLite file and one PostgreSQL database finalises each 公示 once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location

from clirun import invoke, ok
from racing import race
from suzhou_year import make_year

SRC = str(Path(__file__).resolve().parents[2] / "src")
BIN = str(Path(sys.executable).parent / "bzr-workflow")
PUBLISHED = ["zhou", "liu", "sun", "wu"]


def played_ten_days_ago(db: str) -> dict[str, str]:
    """Suzhou's year played ten days ago (its four 公示 of five days have run); advisor → case."""
    app = open_app(parse_location(db), create=True)
    past = datetime.now(UTC) - timedelta(days=10)
    app.clock = lambda: past  # type: ignore[method-assign]
    try:
        make_year(app)
        return {r["subject"]: r["id"] for r in app.reads.cases("appraisal")}
    finally:
        app.close()


def finalised_events(db: str, ref: str) -> list[str]:
    app = open_app(parse_location(db))
    try:
        return [e.actor for e in app.events_of(app.case(ref).id)
                if type(e).__name__ == "Finalised"]
    finally:
        app.close()


def remind_process(db: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": SRC, "LANG": "C"}
    env.pop("BZR_WORKFLOW_ACTOR", None)
    return subprocess.Popen([BIN, "--db", db, "--json", "remind"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def later(monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    moment = datetime.now(UTC) + timedelta(days=days)
    monkeypatch.setattr(WorkflowApp, "clock", staticmethod(lambda: moment))


def test_two_remind_processes_finalise_each_announcement_once_by_rule(db_url: str) -> None:
    refs = played_ten_days_ago(db_url)
    procs = [remind_process(db_url) for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    done = [[f["case"] for f in json.loads(out)["finalised"]] for out, _ in outputs]
    assert sorted(done[0] + done[1]) == sorted(refs[a] for a in PUBLISHED)
    for advisor in PUBLISHED:
        assert finalised_events(db_url, refs[advisor]) == ["@rule"]


def test_processes_racing_for_one_announcement_record_one_finalisation(db_url: str) -> None:
    ref = played_ten_days_ago(db_url)["liu"]
    now = datetime.now(UTC)
    outcomes = race(db_url, [(f"p{n}", "deadlines.finalise_when_due", (ref, now))
                             for n in range(4)])
    assert [code for _, code, _ in outcomes] == [0, 0, 0, 0]  # the losers find it final: no error
    assert finalised_events(db_url, ref) == ["@rule"]


def test_remind_says_what_it_finalised_and_what_is_overdue(sqlite_url: str) -> None:
    refs = played_ten_days_ago(sqlite_url)
    result = invoke(sqlite_url, "remind", as_json=False)
    assert result.exit_code == 0, result.stderr
    assert f"finalised {refs['zhou']} (zhou) by @rule" in result.stdout
    assert "rewarded" in result.stdout
    assert ok(sqlite_url, "remind")["finalised"] == []


def test_overdue_lists_a_late_step_with_its_holders_and_days(sqlite_url: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    refs = played_ten_days_ago(sqlite_url)
    assert ok(sqlite_url, "overdue") == []
    later(monkeypatch, 30)
    rows = {r["case"]: r for r in ok(sqlite_url, "overdue")}
    late = rows[refs["zheng"]]
    assert (late["subject"], late["subject_name"], late["step_label"], late["holders"]) == (
        "zheng", "郑涛", "报继续教育处审定", ["o1", "o2"])
    assert late["days_late"] >= 20 and late["pending_since"] < late["due"]
    assert set(rows) == {refs[a] for a in ("zheng", "feng", "he")}
    text = invoke(sqlite_url, "overdue", as_json=False).stdout
    assert refs["zheng"] in text and "o1 o2" in text


def test_the_inbox_marks_a_late_step_overdue_with_its_due_instant(sqlite_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    refs = played_ten_days_ago(sqlite_url)
    [row] = [r for r in ok(sqlite_url, "inbox", actor="o1") if r["id"] == refs["zheng"]]
    assert row["overdue"] is False and row["due"] > datetime.now(UTC).isoformat()[:10]
    later(monkeypatch, 30)
    [row] = [r for r in ok(sqlite_url, "inbox", actor="o1") if r["id"] == refs["zheng"]]
    assert row["overdue"] is True


def test_a_site_head_sees_only_the_late_steps_of_cases_they_may_read(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    refs = played_ten_days_ago(sqlite_url)
    later(monkeypatch, 30)
    assert ok(sqlite_url, "overdue", actor="s1") == []
    assert refs["feng"] in [r["case"] for r in ok(sqlite_url, "overdue", actor="m1")]
