"""Reads catch the views up only when the log is ahead of them: a read with nothing new takes no
write lock, so it answers while another connection holds SQLite's write lock."""

from __future__ import annotations

import sqlite3
from typing import Any

from bzr_workflow.application import open_app, parse_location
from guilin_org import make_org


def test_a_read_with_nothing_new_answers_while_another_connection_holds_the_write_lock(
        tmp_path: Any) -> None:
    db = str(tmp_path / "store.db")
    app = make_org(open_app(parse_location(db), create=True))
    try:
        before = app.reads.audit()  # the views catch up with everything so far
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # as a writer mid-command would
        try:
            assert app.reads.audit() == before
            assert app.reads.inbox("zhang") is not None
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        other = open_app(parse_location(db))
        other.org.add_user("zhao9", "赵九", [], "admin")
        other.close()
        after = app.reads.audit()  # behind now: caught up, under the write lock
        assert len(after) > len(before) and after[-1]["target"] == "user:zhao9"
    finally:
        app.close()


def test_a_new_process_reads_current_views_without_ddl_while_another_connection_holds_the_write_lock(
        tmp_path: Any) -> None:
    db = str(tmp_path / "store.db")
    app = make_org(open_app(parse_location(db), create=True))
    before = app.reads.audit()  # the views made and current
    app.close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = open_app(parse_location(db))  # as the next command's process would
    try:
        assert other.reads.audit() == before  # no create_views: it would wait for the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        other.close()
