"""When an SQLite store's write-ahead log is checkpointed: at WAL_AUTOCHECKPOINT pages on the connections that write events and views, not SQLite's default 1,000 (issue 24, part 12)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bzr_workflow.adapters.store import WAL_AUTOCHECKPOINT
from bzr_workflow.application import open_app, parse_location
from bzr_workflow.application.reads import views_of
from bzr_workflow.domain.school_class import SchoolClass
from guilin_org import make_org


def frames_in_log(path: Path) -> int:
    """The frames the log holds now, asked from a connection of its own (a PASSIVE checkpoint
    answers how many there are; it copies them, and the next write starts the log again)."""
    conn = sqlite3.connect(path)
    try:
        busy, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0
        return int(frames)
    finally:
        conn.close()


def test_the_event_and_view_writers_checkpoint_at_the_larger_threshold(tmp_path: Path) -> None:
    assert WAL_AUTOCHECKPOINT > 1000
    app = make_org(open_app(parse_location(str(tmp_path / "s.db")), create=True))
    try:
        pool = app.recorder.datastore.pool
        writer = pool.get_connection(is_writer=True)
        try:
            setting = writer._sqlite_conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]  # noqa: SLF001
        finally:
            pool.put_connection(writer)
        assert setting == WAL_AUTOCHECKPOINT
        views = views_of(app)
        with views.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == WAL_AUTOCHECKPOINT
    finally:
        app.close()


def test_commits_past_a_thousand_pages_leave_the_log_unchecked_until_the_threshold(
        tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    app = make_org(open_app(parse_location(str(path)), create=True))
    try:
        frames_in_log(path)  # copied: the next commit starts the log again
        for n in range(600):  # one commit each: the event, its index entry, its seal link
            app.save(SchoolClass(code=f"c{n}", name=f"班{n}", unit="nanning", students=40,
                                 level="专升本", graduating=False, actor="admin"))
        held = frames_in_log(path)
        # with SQLite's default the commit that passed 1,000 pages would have copied them and
        # the log started again: fewer than 1,000 frames would be left in it
        assert 1000 < held < WAL_AUTOCHECKPOINT, held
    finally:
        app.close()
