"""The sealed log on both backends: append-only in the database, tampering found by verify."""

from __future__ import annotations

from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp
from bzr_workflow.application.seal import Seal
from bzr_workflow.domain.errors import IntegrityFailure


def raw(app: WorkflowApp) -> Any:
    """A plain driver connection to the store, as someone with database access would use."""
    loc = app.location
    if loc.is_sqlite:
        import sqlite3

        return sqlite3.connect(loc.path, isolation_level=None)
    import psycopg

    return psycopg.connect(loc.libpq_conninfo(), autocommit=True)


def events_table(app: WorkflowApp) -> str:
    return Seal(app.location).events


def recruit(app: WorkflowApp) -> str:
    ref = str(app.recruit_apply("kj1", None, None, "申请", "chen")["id"])
    app.approve(ref, "zhang", "同意")
    return ref


def test_every_stored_event_is_sealed_and_verifies(app: WorkflowApp) -> None:
    recruit(app)
    result = Seal(app.location).verify()
    assert result["verified"] and result["events"] > 10 and len(result["head"]) == 64


@pytest.mark.parametrize("statement", ["UPDATE {t} SET topic = topic",
                                       "DELETE FROM {t}"])
def test_the_database_refuses_to_change_stored_events(app: WorkflowApp, statement: str) -> None:
    conn = raw(app)
    with pytest.raises(Exception, match="append-only"):
        conn.execute(statement.format(t=events_table(app)))
    conn.close()


def test_the_seal_itself_is_append_only(app: WorkflowApp) -> None:
    conn = raw(app)
    with pytest.raises(Exception, match="append-only"):
        conn.execute(f"DELETE FROM {Seal(app.location).table}")
    conn.close()


def test_an_edited_event_is_found_by_verify_naming_its_position(app: WorkflowApp) -> None:
    recruit(app)
    conn, table = raw(app), events_table(app)
    if app.location.is_sqlite:
        conn.execute("DROP TRIGGER stored_events_no_update")
        position = conn.execute("SELECT max(rowid) FROM stored_events").fetchone()[0]
        conn.execute("UPDATE stored_events SET state = state || x'20' WHERE rowid = ?",
                     (position,))
    else:
        conn.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        position = conn.execute(f"SELECT max(notification_id) FROM {table}").fetchone()[0]
        conn.execute(f"UPDATE {table} SET state = state || '\\x20'::bytea"
                     " WHERE notification_id = %s", (position,))
    conn.close()
    with pytest.raises(IntegrityFailure, match=f"position {position}:"):
        Seal(app.location).verify()


def test_a_published_head_stays_verifiable_as_events_follow(app: WorkflowApp) -> None:
    head = Seal(app.location).verify()["head"]
    recruit(app)
    later = Seal(app.location).verify(head)
    assert later["head"] != head
    with pytest.raises(IntegrityFailure, match="not a link"):
        Seal(app.location).verify("f" * 64)
