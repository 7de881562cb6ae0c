"""The contract of es_fastpath against the pinned eventsourcing: its private names exist, and each
shortcut stores or replays exactly what the library's own path does."""

from __future__ import annotations

import inspect
import sqlite3
from importlib.metadata import version

import pytest
from eventsourcing.application import Application, project_aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteConnectionPool

from bzr_workflow.adapters import es_fastpath
from bzr_workflow.application import WorkflowApp
from bzr_workflow.domain.case import Case
from bzr_workflow.domain.ids import case_id


def test_the_pinned_library_is_9_5_and_has_every_private_name_used() -> None:
    assert version("eventsourcing").startswith("9.5.")
    holders = {"Application": Application, "SQLiteApplicationRecorder": SQLiteApplicationRecorder,
               "SQLiteConnectionPool": SQLiteConnectionPool}
    for holder, names in es_fastpath.PRIVATE_NAMES.items():
        for name in names:
            assert callable(getattr(holders[holder], name, None)), f"{holder}.{name}"


def test_a_pooled_connection_has_every_private_attribute_used(sqlite_app: WorkflowApp) -> None:
    pool = sqlite_app.recorder.datastore.pool
    conn = pool.get_connection(is_writer=False)
    try:
        for holder, names in es_fastpath.PRIVATE_ATTRIBUTES.items():
            assert type(conn).__name__ == holder
            for name in names:
                assert isinstance(getattr(conn, name, None), sqlite3.Connection), name
    finally:
        pool.put_connection(conn)


def test_a_save_alone_stores_and_refuses_as_the_library_s_insert_events(
        sqlite_app: WorkflowApp) -> None:
    """A save alone is the library's transaction on the driver's connection: positions
    returned, a version already taken refused with the library's IntegrityError and nothing of
    it stored, the writer connection given back clean (the next save goes through)."""
    recorder, to_stored = sqlite_app.recorder, sqlite_app.mapper.to_stored_event
    first = [to_stored(e) for e in es_fastpath.new_events([raised("R-90")])]
    positions = recorder.insert_events(first)
    assert positions is not None and len(positions) == 2
    assert positions[-1] == recorder.max_notification_id()
    again = [to_stored(e) for e in es_fastpath.new_events([raised("R-91"), raised("R-90")])]
    with pytest.raises(IntegrityError) as refused:
        recorder.insert_events(again)
    assert isinstance(refused.value.__cause__, sqlite3.IntegrityError)
    assert stored(sqlite_app, "R-91") == [] and recorder.max_notification_id() == positions[-1]
    later = [to_stored(e) for e in es_fastpath.new_events([raised("R-92")])]
    assert recorder.insert_events(later) == [positions[-1] + 1, positions[-1] + 2]
    assert sqlite_app.reads.verify()["verified"]


def raised(ref: str) -> Case:
    case = Case(ref=ref, kind="recruitment", policy_version=1, action="applied",
                open_step="apply", step="site_review", subject="chen", opener="chen",
                unit="nanning", unit_path=["glut-ce", "nanning"], class_code="kj1", period="",
                note="本人申请", data={}, refinement=0, opener_signs=False)
    case.submit_summary("chen", "总结")
    return case


def stored(app: Application[object], ref: str) -> list[tuple[int, str, bytes]]:
    return [(e.originator_version, e.topic, e.state)
            for e in app.recorder.select_events(case_id(ref))]


def test_the_fast_save_stores_what_the_library_save_stores(sqlite_app: WorkflowApp) -> None:
    es_fastpath.save(sqlite_app, [raised("R-90")])
    Application.save(sqlite_app, raised("R-91"))  # the library's own path, with its checks

    def decoded(ref: str) -> list[dict[str, object]]:
        skip = {"originator_id", "timestamp", "ref"}
        return [{k: v for k, v in vars(sqlite_app.mapper.to_domain_event(e)).items()
                 if k not in skip} for e in sqlite_app.recorder.select_events(case_id(ref))]

    assert [row[:2] for row in stored(sqlite_app, "R-90")] == \
        [row[:2] for row in stored(sqlite_app, "R-91")]
    assert decoded("R-90") == decoded("R-91") and len(decoded("R-90")) == 2


def test_fold_replays_to_what_project_aggregate_replays(sqlite_app: WorkflowApp) -> None:
    ref = sqlite_app.cases.recruit_apply("kj1", "chen", None, "本人申请", "chen")["id"]
    sqlite_app.cases.approve(ref, "zhang", "同意")
    events = list(sqlite_app.events.get(case_id(ref)))
    assert vars(es_fastpath.fold(None, events)) == vars(project_aggregate(None, events))


def test_one_transaction_stores_every_chunk_or_none(sqlite_app: WorkflowApp) -> None:
    to_stored = sqlite_app.mapper.to_stored_event
    first, second = raised("R-92"), raised("R-93")
    with es_fastpath.one_transaction(sqlite_app.recorder) as insert:
        insert([to_stored(e) for e in es_fastpath.new_events([first])])
        insert([to_stored(e) for e in es_fastpath.new_events([second])])
    assert len(stored(sqlite_app, "R-92")) == len(stored(sqlite_app, "R-93")) == 2
    again, fresh = raised("R-92"), raised("R-94")
    with pytest.raises(IntegrityError):
        with es_fastpath.one_transaction(sqlite_app.recorder) as insert:
            insert([to_stored(e) for e in es_fastpath.new_events([fresh])])
            insert([to_stored(e) for e in es_fastpath.new_events([again])])  # version 1 taken
    assert stored(sqlite_app, "R-94") == []


def test_saves_made_at_once_by_several_threads_commit_as_one_group_each_failing_alone(
        sqlite_app: WorkflowApp) -> None:
    import threading

    recorder, to_stored = sqlite_app.recorder, sqlite_app.mapper.to_stored_event
    taken = raised("R-95")
    es_fastpath.save(sqlite_app, [taken])
    outcomes: dict[str, object] = {}

    def save(ref: str, case: Case) -> None:
        try:
            outcomes[ref] = recorder.insert_events(
                [to_stored(e) for e in es_fastpath.new_events([case])])
        except IntegrityError as exc:
            outcomes[ref] = exc

    saves = [(f"R-{n}", raised(f"R-{n}")) for n in range(100, 106)] + [("R-95", raised("R-95"))]
    with recorder.datastore.transaction(commit=False):  # a writer holds the store meanwhile
        threads = [threading.Thread(target=save, args=s) for s in saves]
        for thread in threads:
            thread.start()
        threads[0].join(0.5)  # all queue behind the first, which waits for the writer
    for thread in threads:
        thread.join(30)
    assert isinstance(outcomes.pop("R-95"), IntegrityError)  # version 1 taken: refused alone
    positions = sorted(p for found in outcomes.values() for p in found)  # type: ignore[attr-defined]
    assert len(positions) == 12 and len(set(positions)) == 12
    assert all(len(stored(sqlite_app, f"R-{n}")) == 2 for n in range(100, 106))
    assert len(stored(sqlite_app, "R-95")) == 2
    assert sqlite_app.reads.verify()["verified"]


def test_the_store_s_connections_keep_their_prepared_statements(sqlite_app: WorkflowApp) -> None:
    """The library opens connections with `cached_statements=True` (a cache of one statement):
    the store's pool is our copy of its `_create_connection` with a real cache, and the copy
    still matches the library's in all but that (a newer library is looked at again)."""
    library = inspect.getsource(SQLiteConnectionPool._create_connection)  # noqa: SLF001
    assert "cached_statements=True" in library and "row_factory = sqlite3.Row" in library
    pool = sqlite_app.recorder.datastore.pool
    assert isinstance(pool, es_fastpath.StatementCachingPool)
    with sqlite_app.recorder.datastore.transaction(commit=False) as cursor:
        conn = cursor.sqlite_cursor.connection
        assert conn.row_factory is sqlite3.Row and conn.isolation_level is None
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sqlite_app.recorder.max_notification_id() == \
        SQLiteApplicationRecorder.max_notification_id(sqlite_app.recorder)


def test_the_pool_opens_connections_with_a_statement_cache(sqlite_app: WorkflowApp,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[dict[str, object]] = []
    connect = sqlite3.connect

    def spy(*args: object, **kwargs: object) -> sqlite3.Connection:
        asked.append(kwargs)
        return connect(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(sqlite3, "connect", spy)
    pool = sqlite_app.recorder.datastore.pool
    made = pool._create_connection()  # noqa: SLF001
    made.close()
    assert asked and asked[0]["cached_statements"] == es_fastpath.STATEMENT_CACHE > 1


def test_events_are_read_as_the_library_reads_them_without_its_begin_and_rollback(
        sqlite_app: WorkflowApp) -> None:
    """`select_events` is the library's statement and rows, read in one autocommit SELECT:
    every combination of its options answers as `SQLiteAggregateRecorder.select_events` does,
    an aggregate never stored answers nothing, and no BEGIN or ROLLBACK is sent."""
    ref = sqlite_app.cases.recruit_apply("kj1", "chen", None, "本人申请", "chen")["id"]
    for signer in ("zhang", "li"):
        sqlite_app.cases.approve(ref, signer, "同意")
    recorder = sqlite_app.recorder
    library = SQLiteApplicationRecorder.select_events
    for originator in (case_id(ref), case_id(ref).hex, case_id("R-404")):
        for options in ({}, {"gt": 1}, {"lte": 2}, {"gt": 1, "lte": 3}, {"desc": True},
                        {"desc": True, "limit": 2}, {"limit": 1}, {"gt": 99}):
            ours = recorder.select_events(originator, **options)  # type: ignore[arg-type]
            theirs = library(recorder, originator, **options)  # type: ignore[arg-type]
            assert ours == theirs, (originator, options)
    assert len(recorder.select_events(case_id(ref))) == 3
    assert recorder.select_events(case_id("R-404")) == []

    sent: list[str] = []
    reader = recorder.datastore.pool.reader()  # this thread's own (the next test)
    reader.set_trace_callback(sent.append)
    try:
        recorder.select_events(case_id(ref), gt=1)
        recorder.max_notification_id()
    finally:
        reader.set_trace_callback(None)
    assert len(sent) == 2 and not [s for s in sent
                                   if s.split()[0].upper() in ("BEGIN", "ROLLBACK")]


def test_a_driver_error_in_a_single_read_is_raised_as_the_library_raises_it(
        sqlite_app: WorkflowApp) -> None:
    from eventsourcing.persistence import OperationalError

    with pytest.raises(OperationalError, match="no such table"):
        sqlite_app.recorder.select_one("SELECT 1 FROM bzr_no_such_table")


def test_one_statement_reads_use_the_thread_s_own_connection_closed_with_the_pool(
        sqlite_app: WorkflowApp) -> None:
    """The log's head and a cache miss's events are read on the thread's own connection (no
    pool interlock to queue on), made as the pool makes its own and closed with the pool."""
    import threading

    from eventsourcing.persistence import ConnectionPoolClosedError

    pool = sqlite_app.recorder.datastore.pool
    mine = pool.reader()
    head = sqlite_app.recorder.max_notification_id()
    assert pool.reader() is mine and pool.num_in_use == 0 and head
    assert mine.row_factory is sqlite3.Row and mine.isolation_level is None
    elsewhere: list[object] = []
    worker = threading.Thread(target=lambda: elsewhere.append(pool.reader()))
    worker.start()
    worker.join()
    assert elsewhere[0] is not mine and isinstance(elsewhere[0], sqlite3.Connection)
    pool.close()
    with pytest.raises(sqlite3.ProgrammingError):  # closed with the pool
        mine.execute("SELECT 1")
    with pytest.raises(ConnectionPoolClosedError):
        sqlite_app.recorder.max_notification_id()
