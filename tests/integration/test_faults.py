"""Faults: processes starting at once, kill -9 in the middle of bulk work, and recovery."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.application import open_app, parse_location
from bzr_workflow.adapters.seal import Seal, tables

BIN = str(Path(sys.executable).parent / "bzr-workflow")
SLOW = pytest.mark.slow


def run(db: str, *args: str, actor: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BZR_WORKFLOW_")}
    env["BZR_WORKFLOW_DB"] = db
    if actor:
        env["BZR_WORKFLOW_ACTOR"] = actor
    return subprocess.Popen([BIN, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_processes_initialising_a_fresh_store_at_once_never_fail(db_url: str) -> None:
    procs = [run(db_url, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin")
             for _ in range(4)]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in outcomes)
    assert codes == [0, 1, 1, 1], outcomes
    assert all("already initialised" in err for code, err in outcomes if code == 1), outcomes


def test_a_later_init_waits_for_the_first_events_instead_of_deadlocking(pg_url: str) -> None:
    """The interleaving behind a rare `internal error: DeadlockDetected` of the test above: the
    first init writing its events holds the events table and reads the seal's head, while a
    later init makes the same tables again. The later one must take the events table's lock
    before any of the seal's, as every writer does."""
    import threading

    import psycopg

    location = parse_location(pg_url)
    open_app(location, create=True).close()
    events, seal, _ = tables(location)
    failed: list[BaseException] = []

    def second_init() -> None:
        try:
            Seal(location).create()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failed.append(exc)

    with psycopg.connect(location.libpq_conninfo()) as writer:
        writer.execute(f"LOCK TABLE {events} IN EXCLUSIVE MODE")  # as pgrecorder's insert
        later = threading.Thread(target=second_init)
        later.start()
        time.sleep(0.5)  # the later init is waiting for the events table now
        writer.execute("SET LOCAL lock_timeout = '5s'")
        writer.execute(f"SELECT position, digest FROM {seal} ORDER BY position DESC LIMIT 1")
        writer.commit()
    later.join(30)
    assert not later.is_alive()
    assert failed == []


def test_processes_reading_a_fresh_store_at_once_never_fail(pg_url: str) -> None:
    run(pg_url, "init", "--policy", "guilin-ut-ce-2024", "--admin", "admin").wait(timeout=60)
    procs = [run(pg_url, "cases") for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]


def many_advisors(db: str, count: int) -> Any:
    """A Guilin store with `count` advisors, each appointed to a class of their own."""
    from guilin_org import make_org

    app = make_org(open_app(parse_location(db), create=True))
    for n in range(count):
        app.org.add_user(f"t{n}", f"教师{n}", [], "admin")
        app.org.add_class(f"k{n}", f"班{n}", "nanning", 40, "", False, "admin")
        klass, advisor = app.school_class(f"k{n}"), app.user(f"t{n}")
        klass.appoint(f"t{n}", "2026-09-01", f"R-{n}", "admin", 1)
        advisor.take_class(f"k{n}", f"R-{n}", 0)
        app.save(klass, advisor)
    return app


def snapshot_views(app: Any) -> dict[str, Any]:
    from sqlalchemy import select

    from bzr_workflow.application.reads import views_of
    from bzr_workflow.projections import tables as t

    views = views_of(app)
    with views.read() as conn:
        rows = {table.name: sorted(map(str, conn.execute(select(table)))) for table in t.VIEW_TABLES}
    views.close()
    return rows


@SLOW
def test_a_killed_bulk_opening_leaves_all_or_nothing(db_url: str) -> None:
    app = many_advisors(db_url, 300)
    snapshot_views(app)
    for attempt in range(3):
        proc = run(db_url, "appraisal", "open", "--period", f"2026-2027-{1 + attempt % 2}",
                   "--all", actor="li")
        time.sleep(random.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    fresh = open_app(parse_location(db_url))
    result = Seal(fresh.location).verify()
    assert result["verified"]
    incremental = snapshot_views(fresh)
    from bzr_workflow.application.reads import views_of

    views = views_of(fresh)
    views.rebuild()
    views.close()
    assert snapshot_views(fresh) == incremental
    by_period: dict[str, int] = {}
    for row in incremental["bzr_appraisals"]:
        period = "2026-2027-1" if "2026-2027-1" in row else "2026-2027-2"
        by_period[period] = by_period.get(period, 0) + 1
    assert all(n == 300 for n in by_period.values()), by_period
    fresh.close()
    app.close()


@SLOW
def test_a_killed_rebuild_is_finished_by_the_next_read(db_url: str) -> None:
    app = many_advisors(db_url, 150)
    app.appraisals.open_appraisals("2026-2027-1", [(f"t{n}", f"k{n}", "nanning") for n in range(150)],
                        "li", True)
    from bzr_workflow.application.reads import views_of

    for _ in range(3):
        proc = run(db_url, "rebuild", actor="admin")  # recorded first, as a Maintenance event
        time.sleep(random.uniform(0.2, 1.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        fresh = open_app(parse_location(db_url))
        finished = snapshot_views(fresh)
        views = views_of(fresh)
        views.rebuild()
        views.close()
        assert snapshot_views(fresh) == finished
        fresh.close()
    app.close()


@SLOW
def test_a_killed_import_records_all_rows_or_none(db_url: str, tmp_path: Path) -> None:
    app = many_advisors(db_url, 20)
    sheet = tmp_path / "log.csv"
    rows = [f"t{n % 20},2026-09-{1 + n % 28:02d},talk,1" for n in range(4000)]
    sheet.write_text("advisor,date,activity,count\n" + "\n".join(rows) + "\n", "utf-8")
    for _ in range(3):
        proc = run(db_url, "log", "import", str(sheet), actor="admin")
        time.sleep(random.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    fresh = open_app(parse_location(db_url))
    total = sum(fresh.reads.norms(f"t{n}", "2026-2027-1", "advisor")["entries"]
                for n in range(20))
    assert total % 4000 == 0
    assert Seal(fresh.location).verify()["verified"]
    fresh.close()
    app.close()
