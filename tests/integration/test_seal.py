"""The sealed log on both backends: append-only in the database, tampering found by verify."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.adapters import seal as seal_module
from bzr_workflow.adapters.seal import Seal
from bzr_workflow.domain.errors import IntegrityFailure
from guilin_org import make_org


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
    ref = str(app.cases.recruit_apply("kj1", None, None, "申请", "chen")["id"])
    app.cases.approve(ref, "zhang", "同意")
    return ref


def test_every_stored_event_is_sealed_and_verifies(app: WorkflowApp) -> None:
    recruit(app)
    result = Seal(app.location).verify()
    assert result["verified"] and result["events"] > 10 and len(result["head"]) == 64


def test_a_new_sqlite_store_keys_its_links_by_rowid(tmp_path: Any) -> None:
    """On SQLite the position is the table's rowid (INTEGER PRIMARY KEY): a commit writes the
    link into one b-tree, not a table and its index (one page fewer per sign-off)."""
    app = make_org(open_app(parse_location(str(tmp_path / "s.db")), create=True))
    try:
        recruit(app)
        conn = raw(app)
        indexes = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                               " AND tbl_name = 'bzr_seal'").fetchall()
        columns = {r[1]: (r[2], r[5]) for r in conn.execute("PRAGMA table_info(bzr_seal)")}
        same = conn.execute("SELECT count(*) FROM bzr_seal WHERE position = rowid").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM bzr_seal").fetchone()[0]
        conn.close()
        assert indexes == [] and columns["position"] == ("INTEGER", 1) and same == total > 10
        assert Seal(app.location).verify()["verified"]
    finally:
        app.close()


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


PAGES = pytest.mark.parametrize("page", [2000, 3], ids=["one-page", "pages-of-3"])


@PAGES
def test_an_edited_event_is_found_by_verify_naming_its_position(
        app: WorkflowApp, page: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seal_module, "PAGE", page)  # the log is read a page at a time
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


@PAGES
def test_a_published_head_stays_verifiable_as_events_follow(
        app: WorkflowApp, page: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(seal_module, "PAGE", page)
    head = Seal(app.location).verify()["head"]
    recruit(app)
    app.appraisals.open_appraisals("2026-2027-1", [(f"a{n}", "kj1", "nanning") for n in range(7)], "li",
                        False)  # more events than a page, sealed by one command
    later = Seal(app.location).verify(head)
    assert later["head"] != head
    with pytest.raises(IntegrityFailure, match="not a link"):
        Seal(app.location).verify("f" * 64)


def unsealed(app: WorkflowApp) -> int:
    seal = Seal(app.location)
    with raw(app) as conn:
        sealed = conn.execute(f"SELECT COUNT(*) FROM {seal.table}").fetchone()[0]
        stored = conn.execute(f"SELECT COUNT(*) FROM {seal.events}").fetchone()[0]
    return int(stored) - int(sealed)


@pytest.fixture
def pg_app(pg_url: str) -> Iterator[WorkflowApp]:
    application = make_org(open_app(parse_location(pg_url), create=True))
    yield application
    application.close()


def test_every_save_commits_its_events_with_their_links(pg_app: WorkflowApp) -> None:
    """The writer seals in the transaction that stores the events: nothing is ever left for a
    later command (or verify) to seal, whatever the path (one save, or a streamed bulk one)."""
    app = pg_app
    recruit(app)
    assert unsealed(app) == 0
    app.appraisals.open_appraisals("2026-2027-1", [(f"a{n}", "kj1", "nanning") for n in range(5)],
                                   "li", False)
    assert unsealed(app) == 0
    assert Seal(app.location).verify()["verified"]


def test_a_link_names_the_originator_the_same_however_the_driver_returns_it() -> None:
    from uuid import uuid4

    from bzr_workflow.adapters.seal import link

    ident = uuid4()
    digests = {link("0" * 64, 7, form, 2, "bzr.case.signed", b"{}")
               for form in (ident, str(ident), str(ident).upper(), ident.hex)}
    assert len(digests) == 1


def test_a_save_in_flight_holds_back_every_other_save_until_it_commits(
        pg_app: WorkflowApp) -> None:
    """PostgreSQL hands out positions at insert and shows them at commit. Were a later position
    to commit first, the seal and the views, which resume after the last position they saw,
    would pass over the earlier one for good. So one writer at a time takes and commits them."""
    import threading
    from uuid import uuid4

    from eventsourcing.persistence import StoredEvent

    from bzr_workflow.adapters.pgrecorder import OrderedPostgresRecorder

    recorder = pg_app.recorder
    assert isinstance(recorder, OrderedPostgresRecorder)
    probe = {"originator_version": 1, "topic": "probe", "state": b"{}"}
    positions: dict[str, int] = {}
    committed = threading.Event()

    def later_writer() -> None:
        ids = recorder.insert_events([StoredEvent(originator_id=uuid4(), **probe)])
        assert ids is not None
        positions["later"] = ids[0]
        committed.set()

    writer = threading.Thread(target=later_writer)
    with recorder.datastore.transaction(commit=True) as curs:
        positions["earlier"] = recorder._write(  # noqa: SLF001 - one save, held open
            curs, [StoredEvent(originator_id=uuid4(), **probe)])[0]
        writer.start()
        assert not committed.wait(1.0), "a later save committed while an earlier one was open"
    writer.join(timeout=15)
    assert committed.is_set() and positions["earlier"] < positions["later"]
    assert Seal(pg_app.location).verify()["verified"] and unsealed(pg_app) == 0


def test_a_store_with_the_old_sealing_function_never_calls_it(pg_app: WorkflowApp) -> None:
    """The function of before, given HMAC's padded keys with every write, is left alone by
    this version's writer (it computes the links itself): one that refuses changes nothing."""
    app = pg_app
    with raw(app) as conn:
        conn.execute("CREATE FUNCTION bzrworkflow_events_insert_sealed(events"
                     " bzrworkflow_events[], p_inner bytea, p_outer bytea, p_key text)"
                     " RETURNS SETOF bigint LANGUAGE plpgsql AS"
                     " $$ BEGIN RAISE EXCEPTION 'called with the key'; END $$")
    recruit(app)
    opened = app.appraisals.open_appraisals("2026-2027-1", [("a1", "kj1", "nanning")], "li", False)
    assert len(opened) == 1  # bulk opening's one transaction too
    assert Seal(app.location).verify()["verified"] and unsealed(app) == 0


def test_a_store_in_its_own_postgresql_schema_keeps_its_functions_there(pg_url: str) -> None:
    """`?schema=NAME`: events, seal and the append-only guard all live in that schema (the
    only function: the writer links events itself), and tampering is refused there as in
    `public`."""
    import psycopg

    with psycopg.connect(parse_location(pg_url).libpq_conninfo(), autocommit=True) as admin:
        admin.execute("CREATE SCHEMA tenant1")
    app = make_org(open_app(parse_location(pg_url + "?schema=tenant1"), create=True))
    try:
        recruit(app)
        app.appraisals.open_appraisals("2026-2027-1", [(f"a{n}", "kj1", "nanning") for n in range(3)], "li",
                            False)
        assert Seal(app.location).verify()["verified"] and unsealed(app) == 0
        with raw(app) as conn:
            homes = dict(conn.execute(
                "SELECT proname, nspname FROM pg_proc p JOIN pg_namespace n"
                " ON n.oid = p.pronamespace WHERE proname LIKE 'bzr%'").fetchall())
            assert set(homes.values()) == {"tenant1"}, homes
            assert set(homes) == {"bzr_append_only"}
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(f"DELETE FROM {events_table(app)}")
    finally:
        app.close()
