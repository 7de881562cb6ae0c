"""Issue 20 items 1-5, tried as an insider with the database's shell: no downgrade, no key in the database, checkpoints auditors check and cannot forge, views under the seal, files for their owner.

Each test is a reproduction from the issue: on the code before it, the forgery passed (or the
key reached the database, or the file was readable by all).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bzr_workflow.adapters.sealkey import key_path, load
from bzr_workflow.application import open_app, parse_location
from bzr_workflow.domain.errors import IntegrityFailure

from test_seal_hostile import Raw, invoke, ok, organise, tampered, verify


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("BZR_WORKFLOW_SEAL_KEY", raising=False)
    monkeypatch.delenv("BZR_WORKFLOW_SEAL_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("BZR_WORKFLOW_CIPHER_KEY", raising=False)


@pytest.fixture
def store(db_url: str) -> Iterator[str]:
    """A Guilin store with one recruitment application recommended by zhang, the site head."""
    organise(db_url)
    first = ok(db_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    ok(db_url, "approve", first, "--comment", "同意推荐", actor="zhang")
    yield db_url


def refill_unkeyed(raw: Raw) -> None:
    """Every link recomputed from genesis in the format stores used before keys (no key id)."""
    from bzr_workflow.adapters.seal import GENESIS, link

    raw.run("DELETE FROM bzr_seal")
    digest = GENESIS
    for position, *event in raw.run(
            f"SELECT {raw.pos}, originator_id, originator_version, topic, state FROM"
            f" {raw.events} ORDER BY {raw.pos}").fetchall():
        digest = link(digest, position, *event)
        raw.run("INSERT INTO bzr_seal (position, digest) VALUES (?, ?)", position, digest)


def forge_the_recommendation(raw: Raw) -> int:
    """zhang's recommendation made into wang's: the event rewritten in place."""
    position, state = raw.run(
        f"SELECT {raw.pos}, state FROM {raw.events} WHERE topic = 'bzr.case.signed'"
        f" ORDER BY {raw.pos} DESC LIMIT 1").fetchone()
    forged = bytes(state).replace(b'"actor":"zhang"', b'"actor":"wang"')
    assert forged != bytes(state)
    raw.run(f"UPDATE {raw.events} SET state = ? WHERE {raw.pos} = ?", forged, position)
    return int(position)


# -- 1. no downgrade ----------------------------------------------------------------------------


def test_an_unkeyed_refill_from_genesis_is_refused_by_the_next_write_and_by_verify(
        store: str) -> None:
    with Raw(store) as raw:
        raw.drop_guards()
        forge_the_recommendation(raw)
        refill_unkeyed(raw)
    said = tampered(store)
    assert "position 1:" in said and "unkeyed" in said and "keys began" in said
    refused = invoke(store, "recruit", "apply", "--class", "kj2", actor="liu")
    assert refused.exit_code == 5 and "refusing to write" in refused.stderr, refused.stderr
    assert "position 1:" in tampered(store)  # nothing appended on top of the forgery
    refused = invoke(store, "seal", "upgrade", actor="admin")  # the way for old stores: not here
    assert refused.exit_code == 5 and "keys began" in refused.stderr, refused.stderr


def test_a_failed_sign_in_lockout_does_not_seal_over_an_unkeyed_refill(store: str) -> None:
    """The lockout event of five failed sign-ins, written with no credentials at all."""
    with Raw(store) as raw:
        raw.drop_guards()
        forge_the_recommendation(raw)
        refill_unkeyed(raw)
    app = open_app(parse_location(store))
    try:
        with pytest.raises(IntegrityFailure, match="refusing to write"):
            for _ in range(5):
                try:
                    app.credentials.sign_in("zhang", "not-the-password", "127.0.0.1")
                except IntegrityFailure:
                    raise
                except Exception:  # noqa: BLE001, S112 - the refused sign-ins themselves
                    continue
    finally:
        app.close()
    assert "unkeyed" in tampered(store)


def test_the_last_link_before_keys_is_held_to_the_key_file(store: str) -> None:
    """An upgraded store's key file names the old chain's last link: changing it is exit 5."""
    from test_seal_hostile import make_legacy

    make_legacy(store)
    ok(store, "seal", "upgrade", actor="admin")
    anchor = load(key_path(parse_location(store))).anchor
    assert anchor is not None and anchor[0] > 0
    assert verify(store)[0] == 0
    with Raw(store) as raw:
        raw.drop_guards()
        forge_the_recommendation(raw)
        refill_unkeyed(raw)  # the whole chain, the keyed part too, unkeyed now
    said = tampered(store)
    assert "position" in said and ("keys began" in said or "does not match" in said)
    assert invoke(store, "recruit", "apply", "--class", "kj2", actor="liu").exit_code == 5


# -- 2. the key never reaches the database ----------------------------------------------------


SPY = """
CREATE TABLE spy (what text NOT NULL);
CREATE FUNCTION spy_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO spy VALUES (row_to_json(NEW)::text); RETURN NEW; END $$;
"""


def record_every_parameter(conn: Any) -> None:
    """What a database role can do to see what the writer sends: every row inserted into any
    table copied aside, and every function in the schema wrapped to copy its arguments."""
    conn.execute(SPY)
    for (name,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                " AND tablename <> 'spy'").fetchall():
        conn.execute(f'CREATE TRIGGER "{name}_spy" BEFORE INSERT ON "{name}" FOR EACH ROW'
                     " EXECUTE FUNCTION spy_row()")
    functions = conn.execute(
        "SELECT p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),"
        " pg_get_function_identity_arguments(p.oid) FROM pg_proc p JOIN pg_namespace n"
        " ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prorettype <>"
        " 'trigger'::regtype").fetchall()
    for name, arguments, result, identity in functions:
        names = [a.strip().split(" ")[0] for a in arguments.split(",") if a.strip()]
        conn.execute(f'ALTER FUNCTION "{name}"({identity}) RENAME TO "{name}_spied"')
        copied = " || '|' || ".join(f"coalesce({n}::text, '')" for n in names) or "''"
        call = f'"{name}_spied"({", ".join(names)})'
        body = (f"RETURN QUERY SELECT * FROM {call};" if result.startswith("SETOF")
                else f"RETURN {call};")
        conn.execute(f'CREATE FUNCTION "{name}"({arguments}) RETURNS {result} LANGUAGE plpgsql'
                     f" AS $$ BEGIN INSERT INTO spy VALUES ({copied}); {body} END $$")


def derived_from(secret: bytes) -> list[str]:
    """The key and HMAC's padded keys, as hex (bytea's text form) and as base64."""
    import base64

    padded = secret.ljust(64, b"\0")
    forms = [secret, bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)]
    return [f.hex() for f in forms] + [base64.b64encode(f).decode() for f in forms]


@pytest.mark.postgres
def test_a_database_role_recording_every_parameter_of_a_write_finds_nothing_of_the_key(
        pg_url: str) -> None:
    import psycopg

    organise(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        record_every_parameter(conn)
    ref = ok(pg_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"]
    ok(pg_url, "approve", ref, "--comment", "同意推荐", actor="zhang")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        seen = [r[0] for r in conn.execute("SELECT what FROM spy").fetchall()]
    assert any("bzr.case.signed" in s for s in seen)  # the recorder saw the writes
    secrets_ = [k.secret for k in load(key_path(parse_location(pg_url))).keys]
    for secret in secrets_:
        for form in derived_from(secret):
            assert not any(form in s for s in seen), "the database received the seal key"
    assert verify(pg_url)[0] == 0


# -- 3. checkpoints auditors check and cannot forge -------------------------------------------


def test_a_checkpoint_is_verified_with_the_public_key_alone(store: str, tmp_path: Path) -> None:
    point = tmp_path / "checkpoint.json"
    ok(store, "seal", "checkpoint", "--out", str(point))
    public = ok(store, "seal", "key", "public")["public_key"]
    assert len(public) == 64 and json.loads(point.read_text())["public_key"] == public
    secret = key_path(parse_location(store))
    os.rename(secret, tmp_path / "kept-elsewhere")  # the auditor has no key file
    code, said = verify(store, "--checkpoint", str(point), "--public-key", public)
    assert code == 0, said
    assert json.loads(said)["links_recomputed"] is False
    code, said = verify(store, "--checkpoint", str(point),
                        env={"BZR_WORKFLOW_SEAL_PUBLIC_KEY": public})
    assert code == 0, said
    assert verify(store)[0] == 2  # recomputing the links needs the key file


def test_a_checkpoint_forged_by_whoever_verifies_is_refused(store: str, tmp_path: Path) -> None:
    """The auditor holds the public key only: a checkpoint of another head, signed with a key
    the auditor made, or the genuine one altered, is exit 5."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from bzr_workflow.adapters.seal import _signed_part
    from bzr_workflow.adapters.sealkey import public_hex

    point = tmp_path / "checkpoint.json"
    ok(store, "seal", "checkpoint", "--out", str(point))
    public = ok(store, "seal", "key", "public")["public_key"]
    os.rename(key_path(parse_location(store)), tmp_path / "kept-elsewhere")
    data = json.loads(point.read_text())
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(data | {"head": "f" * 64}))
    assert "signature does not match" in tampered(store, "--checkpoint", str(altered),
                                                  "--public-key", public)
    mine = Ed25519PrivateKey.generate()
    forged = {k: v for k, v in data.items() if k != "signature"} | {
        "head": "f" * 64, "public_key": public_hex(mine.public_key())}
    forged["signature"] = mine.sign(_signed_part(forged)).hex()
    fake = tmp_path / "forged.json"
    fake.write_text(json.dumps(forged))
    assert "signature does not match" in tampered(store, "--checkpoint", str(fake),
                                                  "--public-key", public)


def test_an_hmac_checkpoint_of_before_still_verifies_with_the_key_file(
        store: str, tmp_path: Path) -> None:
    from bzr_workflow.adapters.seal import HMAC_CHECKPOINT, Seal, _signed_part

    location = parse_location(store)
    position, head = Seal(location).head()
    with Raw(store) as raw:
        store_id = raw.run("SELECT digest FROM bzr_seal ORDER BY position LIMIT 1").fetchone()[0]
    key = load(key_path(location)).active
    data: dict[str, Any] = {"format": HMAC_CHECKPOINT, "store": store_id, "position": position,
                            "head": head, "at": "2026-01-01T00:00:00+00:00", "key": key.id}
    data["signature"] = key.mac(_signed_part(data))
    point = tmp_path / "old.json"
    point.write_text(json.dumps(data))
    assert verify(store, "--checkpoint", str(point))[0] == 0
    public = ok(store, "seal", "key", "public")["public_key"]
    os.rename(key_path(location), tmp_path / "kept-elsewhere")
    code, said = verify(store, "--checkpoint", str(point), "--public-key", public)
    assert code == 2 and "needs the seal key file" in said


def test_a_key_file_others_may_read_is_refused(store: str) -> None:
    secret = key_path(parse_location(store))
    os.chmod(secret, 0o640)
    code, said = verify(store)
    assert code == 2 and "may be read by others" in said
    refused = invoke(store, "recruit", "apply", "--class", "kj2", actor="liu")
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1
    os.chmod(secret, 0o600)
    assert verify(store)[0] == 0


def test_the_audit_sheet_carries_a_signed_head_and_the_public_key(store: str) -> None:
    import csv
    import io

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    app = open_app(parse_location(store))
    try:
        sheet = app.reads.audit_sheet("csv").decode("utf-8-sig")
    finally:
        app.close()
    first = next(csv.reader(io.StringIO(sheet)))
    public = ok(store, "seal", "key", "public")["public_key"]
    assert public in first
    signature = first[first.index("签名") + 1]
    store_id = first[first.index("库标识") + 1]
    head, position = first[first.index("封印摘要") + 1], first[first.index("事件位置") + 1]
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(
        bytes.fromhex(signature), f"bzr-workflow checkpoint 2|{store_id}|{position}|{head}".encode())


# -- 5. files only for their owner --------------------------------------------------------------


def test_the_store_its_wal_shm_and_key_file_are_for_their_owner_only(sqlite_url: str) -> None:
    organise(sqlite_url)
    app = open_app(parse_location(sqlite_url))  # held open: the -wal and -shm stay
    try:
        app.org.add_unit("wuzhou", "梧州教学点", "", "admin")
        for path in (sqlite_url, sqlite_url + "-wal", sqlite_url + "-shm",
                     key_path(parse_location(sqlite_url))):
            assert os.path.exists(path), path
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    finally:
        app.close()


def test_a_store_others_may_read_is_said_on_stderr(sqlite_url: str) -> None:
    organise(sqlite_url)
    os.chmod(sqlite_url, 0o644)
    result = invoke(sqlite_url, "user", "list")
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if "may be read by others" in line]
    assert len(warned) == 1, result.stderr


# -- 4. what auditors read is sealed ------------------------------------------------------------


def test_an_edited_decision_in_the_views_is_found_by_verify_naming_its_row(store: str) -> None:
    ok(store, "audit")  # the views made and caught up
    code, said = verify(store)
    assert code == 0 and json.loads(said)["views"] == "verified", said
    with Raw(store) as raw:
        position = raw.run("SELECT position FROM bzr_decisions WHERE actor = 'zhang'"
                           " ORDER BY position DESC LIMIT 1").fetchone()[0]
        raw.run("UPDATE bzr_decisions SET actor = 'wang' WHERE position = ?", position)
    assert any(row["actor"] == "wang" for row in ok(store, "audit"))  # the audit reads it
    said = tampered(store)
    assert "bzr_decisions" in said and f"position={position}" in said and "actor" in said


def test_a_deleted_and_an_added_view_row_are_found_by_verify(store: str) -> None:
    ok(store, "audit")
    with Raw(store) as raw:
        raw.run("DELETE FROM bzr_decisions WHERE position = (SELECT min(position) FROM"
                " bzr_decisions)")
    assert "is missing" in tampered(store)


def test_an_audit_sheet_prints_what_the_events_say_not_an_edited_view(store: str) -> None:
    import csv
    import io

    ok(store, "audit")
    with Raw(store) as raw:
        raw.run("UPDATE bzr_decisions SET actor = 'wang' WHERE actor = 'zhang'")
    app = open_app(parse_location(store))
    try:
        sheet = app.reads.audit_sheet("csv").decode("utf-8-sig")
    finally:
        app.close()
    actors = [row[1] for row in list(csv.reader(io.StringIO(sheet)))[2:]]
    assert "zhang" in actors and "wang" not in actors


def test_verify_checks_the_views_of_a_read_only_copy_and_writes_nothing_beside_it(
        sqlite_url: str, tmp_path: Path) -> None:
    import shutil

    organise(sqlite_url)
    ok(sqlite_url, "audit")
    folder = tmp_path / "copy"
    folder.mkdir()
    copy = folder / "store.db"
    shutil.copy(sqlite_url, copy)
    copy.chmod(0o400)
    folder.chmod(0o500)
    try:
        code, said = verify(str(copy), env={"BZR_WORKFLOW_SEAL_KEY": key_path(
            parse_location(sqlite_url))})
        assert code == 0 and json.loads(said)["views"] == "verified", said
        assert sorted(os.listdir(folder)) == ["store.db"]
    finally:
        folder.chmod(0o700)


def test_a_key_file_made_by_hand_takes_where_keys_begin_from_the_first_write_or_the_upgrade(
        store: str, sqlite_url: str, tmp_path: Path) -> None:
    from test_seal_hostile import make_legacy

    make_legacy(store)
    ok(store, "seal", "key", "create")  # before the upgrade: it does not say keys began at 0
    assert load(key_path(parse_location(store))).anchor is None
    ok(store, "seal", "upgrade", actor="admin")
    assert load(key_path(parse_location(store))).anchor is not None
    ok(store, "recruit", "apply", "--class", "kj2", actor="liu")
    assert verify(store)[0] == 0
    fresh = str(tmp_path / "fresh.db")
    ok(fresh, "seal", "key", "create")
    organise(fresh)
    assert load(key_path(parse_location(fresh))).anchor == (0, "0" * 64)
    assert verify(fresh)[0] == 0


def test_a_key_file_of_the_version_before_is_told_where_keys_began_by_the_next_write(
        store: str) -> None:
    """Key files made before `keyed_from` existed get it once, from the keyed chain's start;
    an unkeyed head on such a file is refused all the same."""
    path = key_path(parse_location(store))
    data = json.loads(Path(path).read_text())
    data.pop("keyed_from")
    data.pop("signing")
    Path(path).write_text(json.dumps(data))
    assert load(path).anchor is None
    ok(store, "recruit", "apply", "--class", "kj2", actor="liu")
    assert load(path).anchor == (0, "0" * 64)
    assert ok(store, "seal", "key", "rotate")["keys"] == 2  # and a signing key with it
    assert len(ok(store, "seal", "key", "public")["public_key"]) == 64
    assert verify(store)[0] == 0
    data = json.loads(Path(path).read_text())
    data.pop("keyed_from")
    Path(path).write_text(json.dumps(data))
    with Raw(store) as raw:
        raw.drop_guards()
        refill_unkeyed(raw)
    refused = invoke(store, "recruit", "apply", "--class", "tm1", actor="sun")
    assert refused.exit_code == 5 and "refusing to write" in refused.stderr, refused.stderr


def test_a_write_after_an_event_stored_by_hand_is_refused(store: str) -> None:
    """The writer's head must be the link of the last stored event: an event inserted by hand
    (its link missing) is not buried under the next write's links."""
    with Raw(store) as raw:
        originator, version, topic, state = raw.run(
            f"SELECT originator_id, originator_version, topic, state FROM {raw.events}"
            f" ORDER BY {raw.pos} DESC LIMIT 1").fetchone()
        raw.run(f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state)"
                " VALUES (?, ?, ?, ?)", originator, version + 1, topic, state)
    refused = invoke(store, "recruit", "apply", "--class", "kj2", actor="liu")
    assert refused.exit_code == 5 and "refusing to write" in refused.stderr, refused.stderr
    assert "no seal link" in tampered(store)
