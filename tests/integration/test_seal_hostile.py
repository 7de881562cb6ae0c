"""Issue 14, tried as a hostile insider with the database's own shell: every tampering is exit 5.

Each case works on a store made through the CLI, tampers with it through a plain driver
connection (sqlite3, psycopg) as someone holding a copy and the database's shell would, and runs
`verify` through the CLI. On the code before issue 14 each of these passed verify, or failed it
with the wrong exit code (2, 4, or an internal error).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.application import parse_location
from bzr_workflow.adapters.sealkey import key_path
from bzr_workflow.domain.ids import case_id

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from clirun import invoke, ok, organise  # noqa: E402 - tests/cli's runner


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL stores keep their seal key under the user's config folder: a test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("BZR_WORKFLOW_SEAL_KEY", raising=False)
    monkeypatch.delenv("BZR_WORKFLOW_CIPHER_KEY", raising=False)


class Raw:
    """The store through its driver: what an insider with the database's shell can do."""

    def __init__(self, db: str) -> None:
        self.location = parse_location(db)
        self.sqlite = self.location.is_sqlite
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(self.location.path, isolation_level=None)
            self.events, self.pos = "stored_events", "rowid"
        else:
            import psycopg

            self.conn = psycopg.connect(self.location.libpq_conninfo(), autocommit=True)
            self.events, self.pos = "bzrworkflow_events", "notification_id"
        self.mark = "?" if self.sqlite else "%s"

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def run(self, sql: str, *params: Any) -> Any:
        return self.conn.execute(sql.replace("?", self.mark), params)

    def drop_guards(self) -> None:
        """Drop the append-only triggers on events and seal."""
        if self.sqlite:
            for name in ("stored_events_no_update", "stored_events_no_delete",
                         "bzr_seal_no_update", "bzr_seal_no_delete"):
                self.run(f"DROP TRIGGER {name}")
        else:
            for table in (self.events, "bzr_seal"):
                self.run(f"DROP TRIGGER {table}_append_only ON {table}")
                self.run(f"DROP TRIGGER {table}_no_truncate ON {table}")

    def last_position(self) -> int:
        return int(self.run(f"SELECT max({self.pos}) FROM {self.events}").fetchone()[0])

    def event_of(self, originator: Any) -> tuple[Any, ...]:
        ident = originator.hex if self.sqlite else originator
        return tuple(self.run(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events}"
            " WHERE originator_id = ? ORDER BY originator_version DESC LIMIT 1",
            ident).fetchone())

    def insert_event(self, originator: Any, version: int, topic: str, state: bytes) -> int:
        ident = originator.hex if self.sqlite else originator
        self.run(f"INSERT INTO {self.events} (originator_id, originator_version, topic, state)"
                 " VALUES (?, ?, ?, ?)", ident, version, topic, state)
        return self.last_position()


def verify(db: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """`bzr-workflow verify`: (exit code, its one stderr line or its JSON)."""
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        result = invoke(db, "verify", *args)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert "Traceback" not in result.stderr
    if result.exit_code:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and result.stdout == "", result.stderr
        return result.exit_code, lines[0]
    return 0, result.stdout


def tampered(db: str, *args: str) -> str:
    code, said = verify(db, *args)
    assert code == 5, said
    return said


@pytest.fixture
def store(db_url: str) -> Iterator[str]:
    """A Guilin store with two recruitment applications at the Nanning site; the first
    recommended by its head, zhang, the second waiting for him."""
    organise(db_url)
    first = ok(db_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    second = ok(db_url, "recruit", "apply", "--class", "kj2", actor="liu")["id"]
    ok(db_url, "approve", first, "--comment", "同意推荐", actor="zhang")
    os.environ["TEST_CASES"] = f"{first} {second}"
    yield db_url
    os.environ.pop("TEST_CASES", None)


def cases() -> list[str]:
    return os.environ["TEST_CASES"].split()


# -- forged decisions -------------------------------------------------------------------


def test_a_hand_inserted_approval_by_a_site_head_who_never_signed_is_exit_5(store: str) -> None:
    """zhang recommended the first application; the insider copies that event onto the second,
    which zhang never signed. It shows in history, but verify names it: no writer sealed it."""
    first, second = cases()
    assert verify(store)[0] == 0
    with Raw(store) as raw:
        _, version, topic, state = raw.event_of(case_id(first))
        _, waiting, _, _ = raw.event_of(case_id(second))
        assert waiting == version - 1  # both opened alike: the copy fits the second case
        position = raw.insert_event(case_id(second), version, topic, state)
    history = ok(store, "history", second)
    assert any(h["actor"] == "zhang" for h in history)  # the forgery reads as a decision
    said = tampered(store)
    assert f"position {position}:" in said and "no seal link" in said
    code, said = verify(store, "--head", "0" * 64)
    assert code == 5  # --head does not let it through either
    assert tampered(store) == said  # verify sealed nothing: it says the same again


def test_dropped_triggers_an_edit_and_an_emptied_seal_are_exit_5(store: str) -> None:
    with Raw(store) as raw:
        raw.drop_guards()
        raw.run(f"UPDATE {raw.events} SET topic = topic WHERE {raw.pos} = ?", 3)
        raw.run("DELETE FROM bzr_seal")
    said = tampered(store)
    assert "position 1:" in said and "no seal link" in said
    assert tampered(store) == said  # nothing re-sealed by the first run
    refused = invoke(store, "recruit", "apply", "--class", "tm1", actor="sun")  # a writer after it
    assert refused.exit_code == 5 and "refusing to write" in refused.stderr  # vouches for nothing
    assert "position 1:" in tampered(store)


def test_an_edited_event_with_its_link_recomputed_unkeyed_is_exit_5(store: str) -> None:
    """Without the key the insider can only recompute plain SHA-256 links: refused."""
    import hashlib

    with Raw(store) as raw:
        raw.drop_guards()
        last = raw.last_position()
        previous = raw.run("SELECT digest FROM bzr_seal WHERE position = ?",
                           last - 1).fetchone()[0]
        row = raw.run(f"SELECT originator_id, originator_version, topic, state FROM"
                      f" {raw.events} WHERE {raw.pos} = ?", last).fetchone()
        from bzr_workflow.adapters.seal import message

        digest = hashlib.sha256(message(previous, last, *row)).hexdigest()
        raw.run("DELETE FROM bzr_seal WHERE position = ?", last)
        raw.run("INSERT INTO bzr_seal (position, digest) VALUES (?, ?)", last, digest)
    said = tampered(store)
    assert f"position {last}:" in said


def test_the_last_event_and_its_link_deleted_are_caught_by_a_checkpoint(
        store: str, tmp_path: Path) -> None:
    point = tmp_path / "checkpoint.json"
    written = ok(store, "seal", "checkpoint", "--out", str(point))
    assert json.loads(point.read_text())["position"] == written["position"]
    assert verify(store, "--checkpoint", str(point))[0] == 0
    with Raw(store) as raw:
        raw.drop_guards()
        last = raw.last_position()
        raw.run(f"DELETE FROM {raw.events} WHERE {raw.pos} = ?", last)
        raw.run("DELETE FROM bzr_seal WHERE position = ?", last)
    assert verify(store)[0] == 0  # a shorter log is a consistent log: only a checkpoint knows
    said = tampered(store, "--checkpoint", str(point))
    assert f"checkpoint {point}" in said and "removed" in said


def test_a_checkpoint_that_was_altered_is_exit_5(store: str, tmp_path: Path) -> None:
    point = tmp_path / "checkpoint.json"
    ok(store, "seal", "checkpoint", "--out", str(point))
    data = json.loads(point.read_text())
    data["position"] -= 1
    point.write_text(json.dumps(data))
    assert "signature does not match" in tampered(store, "--checkpoint", str(point))


def test_a_dropped_seal_table_is_exit_5(store: str) -> None:
    with Raw(store) as raw:
        raw.run("DROP TABLE bzr_seal" + ("" if raw.sqlite else " CASCADE"))
    said = tampered(store)
    assert "bzr_seal" in said or "missing" in said


def test_a_garbled_first_event_is_exit_5(store: str) -> None:
    with Raw(store) as raw:
        raw.drop_guards()
        first = raw.run(f"SELECT min({raw.pos}) FROM {raw.events}").fetchone()[0]
        raw.run(f"UPDATE {raw.events} SET state = ? WHERE {raw.pos} = ?", b"\x00\xffgarbage",
                first)
    said = tampered(store)
    assert f"position {first}:" in said


# -- the file itself ----------------------------------------------------------------------


def sqlite_store(sqlite_url: str) -> str:
    organise(sqlite_url)
    ref = ok(sqlite_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    ok(sqlite_url, "approve", ref, "--comment", "同意推荐", actor="zhang")
    return sqlite_url


def test_garbage_over_part_of_the_file_is_exit_5(sqlite_url: str) -> None:
    db = sqlite_store(sqlite_url)
    size = os.path.getsize(db)
    with open(db, "r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(3000))
    tampered(db)


def test_a_zeroed_page_is_exit_5(sqlite_url: str) -> None:
    import sqlite3

    db = sqlite_store(sqlite_url)
    conn = sqlite3.connect(db)
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'stored_events'"
                        ).fetchone()[0]
    conn.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * page)
        f.write(b"\0" * page)
    tampered(db)


def test_a_damaged_header_is_exit_5(sqlite_url: str) -> None:
    db = sqlite_store(sqlite_url)
    with open(db, "r+b") as f:
        f.write(b"this is no longer a database")
    said = tampered(db)
    assert "damaged" in said


def test_verify_runs_on_a_read_only_copy_and_writes_nothing(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_store(sqlite_url)
    folder = tmp_path / "copy"
    folder.mkdir()
    copy = folder / "store.db"
    shutil.copy(db, copy)
    copy.chmod(0o444)
    folder.chmod(0o555)
    try:
        code, said = verify(str(copy), env={"BZR_WORKFLOW_SEAL_KEY": key_path(
            parse_location(db))})
        assert code == 0, said
        assert json.loads(said)["verified"]
        assert sorted(os.listdir(folder)) == ["store.db"]
    finally:
        folder.chmod(0o755)


def test_verify_never_writes_to_the_store(sqlite_url: str) -> None:
    db = sqlite_store(sqlite_url)
    before = Path(db).read_bytes()
    assert verify(db)[0] == 0
    assert Path(db).read_bytes() == before


def test_verify_needs_no_cipher_key_on_an_encrypted_store(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    monkeypatch.setenv("BZR_WORKFLOW_CIPHER_KEY", base64.b64encode(os.urandom(32)).decode())
    organise(db_url)
    ok(db_url, "recruit", "apply", "--class", "kj1", actor="chen")
    monkeypatch.delenv("BZR_WORKFLOW_CIPHER_KEY")
    code, said = verify(db_url)
    assert code == 0, said
    with Raw(db_url) as raw:
        raw.drop_guards()
        last = raw.last_position()
        raw.run(f"UPDATE {raw.events} SET topic = 'bzr.forged' WHERE {raw.pos} = ?", last)
    assert f"position {last}:" in tampered(db_url)


def test_a_store_without_its_seal_key_file_is_refused_not_resealed(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_store(sqlite_url)
    keys = key_path(parse_location(db))
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    os.rename(keys, tmp_path / "elsewhere")
    result = invoke(db, "recruit", "apply", "--class", "kj2", actor="liu")
    assert result.exit_code == 2 and "seal key" in result.stderr
    assert verify(db)[0] == 2  # no key: cannot say, and says where it looked


def test_a_rotated_key_keeps_older_links_and_checkpoints_verifiable(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_store(sqlite_url)
    point = tmp_path / "before.json"
    ok(db, "seal", "checkpoint", "--out", str(point))
    rotated = ok(db, "seal", "key", "rotate")
    assert rotated["keys"] == 2
    ok(db, "recruit", "apply", "--class", "kj2", actor="liu")
    code, said = verify(db, "--checkpoint", str(point))
    assert code == 0, said


# -- two writers at once ------------------------------------------------------------------


WRITER = """
import sys
from bzr_workflow.cli import cli
db, who, klass = sys.argv[1:4]
for n in range(8):
    try:
        cli.main(["--db", db, "--as", "admin", "user", "add", f"{who}{n}", "--name", who],
                 standalone_mode=False)
    except SystemExit:
        pass
"""


def test_two_processes_writing_at_once_leave_a_chain_that_verifies(store: str) -> None:
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, store, who, "kj1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for who in ("p", "q")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    users = {u["user"] for u in ok(store, "user", "list")}
    assert {f"p{n}" for n in range(8)} | {f"q{n}" for n in range(8)} <= users
    code, said = verify(store)
    assert code == 0, said


# -- what exported documents carry ------------------------------------------------------------


def test_an_audit_sheet_carries_the_head_it_was_made_at(store: str) -> None:
    """The sheet names the position and digest it reflects; verify --head accepts the digest."""
    import csv
    import io

    from bzr_workflow.application import open_app

    app = open_app(parse_location(store))
    try:
        sheet = app.reads.audit_sheet("csv").decode("utf-8-sig")
    finally:
        app.close()
    first = next(csv.reader(io.StringIO(sheet)))
    head, position = first[first.index("封印摘要") + 1], int(first[first.index("事件位置") + 1])
    with Raw(store) as raw:
        assert position == raw.last_position()
    code, said = verify(store, "--head", head)
    assert code == 0, said


# -- a store sealed before seal keys ----------------------------------------------------------


def make_legacy(db: str, unsealed_tail: int = 0) -> None:
    """Turn the store into what the version before seal keys left: plain SHA-256 links with no
    key id, the last `unsealed_tail` events not yet sealed (it sealed after commits), and no
    seal key file."""
    from bzr_workflow.adapters.seal import GENESIS, link

    os.unlink(key_path(parse_location(db)))
    with Raw(db) as raw:
        raw.drop_guards()
        raw.run("DELETE FROM bzr_seal")
        rows = raw.run(f"SELECT {raw.pos}, originator_id, originator_version, topic, state"
                       f" FROM {raw.events} ORDER BY {raw.pos}").fetchall()
        digest = GENESIS
        for position, *event in rows[:len(rows) - unsealed_tail]:
            digest = link(digest, position, *event)
            raw.run("INSERT INTO bzr_seal (position, digest) VALUES (?, ?)", position, digest)


def test_a_store_sealed_before_keys_is_upgraded_once_and_then_verifies(store: str) -> None:
    make_legacy(store, unsealed_tail=2)
    code, said = verify(store)
    assert code == 2 and "no seal key file" in said  # no key yet: nothing keyed to check
    upgraded = ok(store, "seal", "upgrade", actor="admin")
    assert upgraded["sealed"] == 2
    assert verify(store)[0] == 0
    ok(store, "recruit", "apply", "--class", "tm1", actor="sun")  # the writer keys from here
    assert verify(store)[0] == 0
    assert invoke(store, "seal", "upgrade", actor="admin").exit_code == 2  # keyed already


def test_an_old_chain_with_nothing_left_unsealed_ends_keyed_after_upgrade(store: str) -> None:
    make_legacy(store)
    assert verify(store)[0] == 2  # no key file yet
    upgraded = ok(store, "seal", "upgrade", actor="admin")
    assert upgraded["sealed"] == 0  # a command recorded instead, its link keyed
    assert verify(store)[0] == 0


def test_unkeyed_links_after_keyed_ones_are_exit_5(store: str) -> None:
    """Rewriting the seal's end without the key: the keyed chain cannot turn unkeyed."""
    import hashlib

    from bzr_workflow.adapters.seal import message

    ok(store, "recruit", "apply", "--class", "tm1", actor="sun")
    with Raw(store) as raw:
        raw.drop_guards()
        last = raw.last_position()
        row = raw.run(f"SELECT originator_id, originator_version, topic, state FROM"
                      f" {raw.events} WHERE {raw.pos} = ?", last).fetchone()
        previous = raw.run("SELECT digest FROM bzr_seal WHERE position = ?", last - 1).fetchone()[0]
        raw.run("DELETE FROM bzr_seal WHERE position = ?", last)
        raw.run("INSERT INTO bzr_seal (position, digest) VALUES (?, ?)", last,
                hashlib.sha256(message(previous, last, *row)).hexdigest())
    assert "unkeyed link after keyed" in tampered(store)


def test_the_first_write_on_an_old_store_is_sent_to_seal_upgrade_after_which_it_is_keyed(
        store: str) -> None:
    """The old seal table has no key_id column and there is no key file: an ordinary write is
    refused (only `seal upgrade` takes an unkeyed chain on, once); after it, writes are keyed."""
    make_legacy(store)
    with Raw(store) as raw:
        raw.run("ALTER TABLE bzr_seal DROP COLUMN key_id")
    refused = invoke(store, "recruit", "apply", "--class", "tm1", actor="sun")
    assert refused.exit_code == 2 and "seal upgrade" in refused.stderr, refused.stderr
    assert not os.path.exists(key_path(parse_location(store)))
    ok(store, "seal", "upgrade", actor="admin")
    ok(store, "recruit", "apply", "--class", "tm1", actor="sun")
    code, said = verify(store)
    assert code == 0, said


def test_a_store_a_writer_opens_while_verify_reads_it_immutable_is_read_again_through_its_wal(
        tmp_path: Path) -> None:
    """verify reads an SQLite file no process has open as immutable (nothing made beside a
    copy). Should a writer open it meanwhile, what verify read may look torn: it reads the
    store once more through its WAL before it calls anything damaged (a real tamper still
    fails both reads, as the tests above show)."""
    from bzr_workflow.application import open_app
    from bzr_workflow.adapters.seal import Seal
    from bzr_workflow.domain.errors import IntegrityFailure

    location = parse_location(str(tmp_path / "store.db"))
    app = open_app(location, create=True)
    app.org.init("guilin-ut-ce-2024", "admin", "", None)
    app.close()
    assert not os.path.exists(location.path + "-wal")  # closed: verify reads it immutable
    seal, reads, writers = Seal(location), [], []
    first_read = seal._verify_once  # noqa: SLF001

    def torn_by_a_writer(head: Any, points: Any, upgrading: bool, public: Any, live: bool) -> Any:
        reads.append(live)
        if not live:  # a writer comes while the immutable read is under way
            writer = open_app(location)
            writer.org.add_unit("nanning", "南宁教学点", "", "admin")
            writers.append(writer)
            raise IntegrityFailure("position 3: the stored event does not match its seal")
        return first_read(head, points, upgrading, public, live)

    seal._verify_once = torn_by_a_writer  # type: ignore[method-assign]  # noqa: SLF001
    try:
        assert seal.verify()["verified"] is True
    finally:
        for writer in writers:
            writer.close()
    assert reads == [False, True]


def test_a_checkpoint_of_no_store_says_there_is_no_store_and_makes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "nothere.db")
    result = invoke(db, "seal", "checkpoint", "--out", str(tmp_path / "cp.json"))
    assert result.exit_code == 2 and "no store at" in result.stderr, result.stderr
    assert sorted(os.listdir(tmp_path)) == []
