"""Erasure that erases: after `person erase`, no byte of the store or of an export holds what was
written about the person; with a store key, no view holds it in clear even before (issue 14)."""

from __future__ import annotations

import base64
import os
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.adapters.personal import ERASED
from guilin_org import make_org

HAN = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
              min_size=6, max_size=10)
"""Distinctive text: six or more random 汉字 (18+ UTF-8 bytes) will not turn up by chance."""
PERIOD = "2026-2027-1"


@st.composite
def personal_values(draw: Any) -> dict[str, str]:
    year, month = draw(st.integers(1950, 1979)), draw(st.integers(1, 12))
    return {"name": draw(HAN), "birth": f"{year}-{month:02d}", "phone": "139" + str(
        draw(st.integers(10_000_000, 99_999_999))), "note": draw(HAN), "reason": draw(HAN),
        "comment": draw(HAN), "deeds": draw(HAN), "summary": draw(HAN)}


def write_about_chen(app: WorkflowApp, v: dict[str, str]) -> str:
    """Everything a person may have written or have written about them, through the commands:
    name and profile, an application's note, a withdrawal's reason, a signature's comment,
    a self-summary, and the 事迹 of an award nomination (whose 推荐表 copies the profile)."""
    app.org.update_user("chen", {"name": v["name"], "birth": v["birth"], "phone": v["phone"]},
                        "admin")
    ref = app.cases.recruit_apply("kj1", None, None, v["note"], "chen")["id"]
    app.cases.withdraw(ref, "chen", v["reason"])
    app.org.grant("chen", "site_head@liuzhou", "admin")
    other = app.cases.recruit_apply("tm1", None, None, "申请", "liu")["id"]
    app.cases.approve(other, "chen", v["comment"])
    advisor = app.user("chen")
    advisor.take_class("kj2", "R-0", 0)
    advisor.record_result(PERIOD, "优秀", "90", "A-0", "li")
    app.save(advisor)
    appraisal = str(app.appraisals.open_appraisals(PERIOD, [("chen", "kj2", "nanning")], "li",
                                                   True)[0]["id"])
    app.appraisals.submit_summary(appraisal, "chen", v["summary"])
    return str(app.awards.nominate("chen", PERIOD, v["deeds"], None, "zhang")["id"])


def read_everything(app: WorkflowApp, award: str, out: Path) -> list[Path]:
    """Every read that fills the views, and every export, written to `out`."""
    app.reads.cases(), app.reads.users(), app.reads.audit(), app.reads.awards(PERIOD)
    app.reads.inbox("zhang"), app.reads.results(PERIOD)
    files = []
    for fmt in ("docx", "xlsx"):
        app.reads.award_form(award, str(out / f"form.{fmt}"), fmt, force=True)  # read again
        files.append(out / f"form.{fmt}")
    for fmt in ("csv", "xlsx"):
        (out / f"audit.{fmt}").write_bytes(app.reads.audit_sheet(fmt))
        files.append(out / f"audit.{fmt}")
    return files


def needles(values: dict[str, str]) -> list[bytes]:
    return [v.encode() for v in [*values.values(), "陈晓明"]]


def export_bytes(files: list[Path]) -> bytes:
    """A file's bytes, and for an OOXML file every member unpacked."""
    found = b""
    for path in files:
        found += path.read_bytes()
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as z:
                found += b"".join(z.read(n) for n in z.namelist())
    return found


def store_bytes(app: WorkflowApp, url: str) -> bytes:
    """Every byte of the SQLite file and its -wal/-shm after a checkpoint; on PostgreSQL every
    row of every table as text (bytea as hex: searched for by the caller as well)."""
    location = app.location
    app.close()
    if location.is_sqlite:
        conn = sqlite3.connect(location.path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return b"".join(Path(location.path + s).read_bytes() for s in ("", "-wal", "-shm")
                        if Path(location.path + s).exists())
    import psycopg

    dump = []
    with psycopg.connect(location.libpq_conninfo()) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema()")]
        for name in names:
            dump += [r[0] for r in conn.execute(f'SELECT t::text FROM "{name}" t')]
    return "\n".join(dump).encode()


def leaked(haystack: bytes, values: dict[str, str]) -> list[str]:
    return [n.decode() for n in needles(values)
            if n in haystack or n.hex().encode() in haystack]


SETTINGS = settings(max_examples=2, deadline=None, phases=[Phase.generate], database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(values=personal_values())
def test_after_erasure_no_byte_of_the_store_or_an_export_holds_what_was_written(
        db_url: str, tmp_path_factory: Any, values: dict[str, str]) -> None:
    out = tmp_path_factory.mktemp("out")
    url = db_url if not db_url.endswith(".db") else str(out / "store.db")
    app = make_org(open_app(parse_location(url), create=True))
    award = write_about_chen(app, values)
    read_everything(app, award, out)  # the views hold what was read before the erasure too
    app.org.erase_person("chen", "admin")
    files = read_everything(app, award, out)
    form = app.reads.recommendation_form(award)
    assert form["fields"]["出生年月"] == ERASED and form["fields"]["姓名"] == ERASED
    assert leaked(export_bytes(files), values) == []
    assert leaked(store_bytes(app, url), values) == []
    _drop_pg_tables(url)


def _drop_pg_tables(url: str) -> None:
    """Hypothesis runs the test twice on one fixture database: start the next one empty."""
    if url.endswith(".db"):
        return
    import psycopg

    with psycopg.connect(parse_location(url).libpq_conninfo(), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@SETTINGS
@given(values=personal_values())
def test_with_a_store_key_the_store_holds_no_personal_text_in_clear(
        db_url: str, tmp_path_factory: Any, values: dict[str, str]) -> None:
    out = tmp_path_factory.mktemp("out")
    url = db_url if not db_url.endswith(".db") else str(out / "store.db")
    key = base64.b64encode(os.urandom(32)).decode()
    app = make_org(open_app(parse_location(url, key), create=True))
    award = write_about_chen(app, values)
    read_everything(app, award, out)
    assert app.reads.recommendation_form(award)["fields"]["出生年月"] == values["birth"]
    names = {u["user"]: u["name"] for u in app.reads.users()}  # opened as they are read
    assert leaked(store_bytes(app, url), values) == []
    assert names["chen"] == values["name"]
    _drop_pg_tables(url)


def test_the_person_keys_are_kept_under_the_store_key(sqlite_url: str) -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    app = make_org(open_app(parse_location(sqlite_url, key), create=True))
    app.close()
    rows = sqlite3.connect(sqlite_url).execute("SELECT key_b64 FROM bzr_person_keys").fetchall()
    assert rows and all(r[0].startswith("wrap1:") for r in rows)


def test_a_detail_entered_after_erasure_is_kept_under_a_new_key(app: WorkflowApp) -> None:
    """Chosen: the new detail works under a new key; what was written before stays erased."""
    app.org.update_user("chen", {"phone": "13800138000", "birth": "1980-05", "gender": "男"},
                        "admin")
    app.org.erase_person("chen", "admin")
    before = len(list(app.events.get(app.user("chen").id)))
    app.org.update_user("chen", {"phone": "13900139000"}, "admin")
    assert len(list(app.events.get(app.user("chen").id))) == before + 1
    profile = app.org.profile(app.user("chen"))
    assert (profile["phone"], profile["birth"], profile["gender"]) == ("13900139000", ERASED,
                                                                       ERASED)
    assert app.user("chen").name == ERASED
    again = open_app(app.location)  # another process sees the same
    assert again.org.profile(again.user("chen"))["phone"] == "13900139000"
    again.close()


def test_a_long_running_process_forgets_what_another_erased(sqlite_url: str) -> None:
    """The web server holds cases and people decoded; an erasure by the CLI reaches it."""
    server = make_org(open_app(parse_location(sqlite_url), create=True))
    server.erasure_check_seconds = 0
    server.org.update_user("chen", {"name": "陈某某"}, "admin")
    assert server.user("chen").name == "陈某某"
    cli = open_app(parse_location(sqlite_url))
    cli.org.erase_person("chen", "admin")
    cli.close()
    assert server.attempt(lambda: server.user("chen").name) == ERASED
    assert {u["user"]: u["name"] for u in server.reads.users()}["chen"] == ERASED
    server.close()


def test_a_detail_written_after_another_process_erased_is_kept_under_the_new_key(
        sqlite_url: str) -> None:
    """A long-running process holds the keys it fetched across its commands; an erasure is an
    event, so its next command, finding an event it did not write, fetches keys again."""
    server = make_org(open_app(parse_location(sqlite_url), create=True))
    server.erasure_check_seconds = 3600  # only the log's events tell this process
    server.org.update_user("chen", {"phone": "13800138000"}, "admin")  # chen's key held
    cli = open_app(parse_location(sqlite_url))
    cli.org.erase_person("chen", "admin")
    cli.close()
    server.org.update_user("chen", {"phone": "13900139000"}, "admin")
    server.close()
    again = open_app(parse_location(sqlite_url))
    assert again.org.profile(again.user("chen"))["phone"] == "13900139000"
    again.close()


def test_an_erasure_in_one_thread_reaches_the_keys_another_thread_holds(app: WorkflowApp) -> None:
    import threading

    def in_a_thread(fn: Any) -> None:
        worker = threading.Thread(target=fn)
        worker.start()
        worker.join()
    in_a_thread(lambda: app.org.update_user("chen", {"phone": "13800138000"}, "admin"))
    app.org.erase_person("chen", "admin")
    in_a_thread(lambda: app.org.update_user("chen", {"phone": "13900139000"}, "admin"))
    again = open_app(app.location)
    assert again.org.profile(again.user("chen"))["phone"] == "13900139000"
    again.close()


def test_commands_that_find_only_their_own_events_fetch_each_key_once(
        app: WorkflowApp, monkeypatch: pytest.MonkeyPatch) -> None:
    app.person_keys.forget()  # nothing held from making the organisation
    fetched: list[str] = []
    real = app.person_keys.keys.get
    monkeypatch.setattr(app.person_keys.keys, "get",
                        lambda login: fetched.append(login) or real(login))
    app.org.update_user("chen", {"phone": "13800138000"}, "admin")
    app.org.update_user("chen", {"phone": "13900139000"}, "admin")
    assert fetched.count("chen") == 1
