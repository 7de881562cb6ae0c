"""Issue 14, no way round the rules, from the command line: one login however it is typed
(`Admin`, `ＡＤＭＩＮ` are `admin`), look-alike logins refused with one line, and the last
administrator kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import invoke, ok, organise


@pytest.fixture
def db(db_url: str) -> str:
    organise(db_url)
    return db_url


def refused(db: str, code: int, *args: str, actor: str | None = "admin") -> str:
    before = ok(db, "audit")
    result = invoke(db, *args, actor=actor)
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert ok(db, "audit") == before  # refused: nothing written
    return lines[0]


def test_a_login_typed_otherwise_is_the_same_login(db: str) -> None:
    for same in ("Admin", "ADMIN", "ａｄｍｉｎ"):
        line = refused(db, 1, "user", "add", same, "--name", "冒充")
        assert line == "error: user admin already exists"
    added = ok(db, "user", "add", "Zhou.Jie", "--name", "周杰", actor="ＡＤＭＩＮ")
    assert added["user"] == "zhou.jie"
    assert ok(db, "user", "grant", "ZHOU.JIE", "ce_college", actor="Admin")["user"] == "zhou.jie"
    actors = {r["actor"] for r in ok(db, "audit") if r["target"] == "user:zhou.jie"}
    assert actors == {"admin"}  # recorded as the login, not as typed


def test_a_look_alike_login_is_refused_naming_the_one_it_imitates(db: str) -> None:
    line = refused(db, 2, "user", "add", "аdmin", "--name", "冒充")  # Cyrillic а
    assert "mixes cyrillic and latin letters" in line and "U+0430" in line
    ok(db, "user", "add", "ceo", "--name", "院长", actor="admin")
    line = refused(db, 2, "user", "add", "сео", "--name", "冒充")  # all Cyrillic
    assert line == "error: user 'сео' looks like the existing user 'ceo' (confusable letters);" \
                   " choose another login"
    for login in ("张三", "zhangsan", "张三2"):
        assert ok(db, "user", "add", login, "--name", "张三", actor="admin")["user"] == login


def test_a_latin_look_alike_of_an_existing_login_is_refused(db: str) -> None:
    """Issue 20: `shl` beside `sh1`, `adrnin` beside `admin`, `vvang` beside `wang`."""
    for login in ("sh1", "deng"):
        ok(db, "user", "add", login, "--name", "某人", actor="admin")
    for look_alike, original in (("shl", "sh1"), ("adrnin", "admin"), ("cleng", "deng"),
                                 ("SHL", "sh1")):
        line = refused(db, 2, "user", "add", look_alike, "--name", "冒充")
        assert f"looks like the existing user {original!r}" in line
    assert ok(db, "user", "add", "shi", "--name", "石", actor="admin")["user"] == "shi"


def test_import_folds_logins_and_refuses_look_alikes(db: str, tmp_path: Path) -> None:
    sheet = tmp_path / "users.csv"
    sheet.write_text("user,name,roles\nZhou,周杰,\nＬＩ,冒充,\n", "utf-8")
    assert refused(db, 1, "import", "users", str(sheet)) == \
        f"error: {sheet}: row 3: user li already exists"
    sheet.write_text("user,name,roles\nZhou,周杰,\nсhen2,冒充,\n", "utf-8")
    assert "row 3: user 'сhen2' mixes cyrillic and latin" in \
        refused(db, 2, "import", "users", str(sheet))
    sheet.write_text("user,name,roles\nZhou,周杰,\n", "utf-8")
    assert ok(db, "import", "users", str(sheet), actor="admin")["users"] == ["zhou"]


def test_the_last_administrator_keeps_the_role(db: str) -> None:
    line = refused(db, 1, "user", "revoke", "ADMIN", "admin")
    assert line == "error: an administrator may not revoke their own admin role"
    ok(db, "user", "grant", "li", "admin", actor="admin")
    ok(db, "user", "revoke", "admin", "admin", actor="li")
    assert refused(db, 3, "user", "revoke", "li", "admin", actor="admin") == \
        "error: admin is not an administrator (role admin)"
    assert [u["user"] for u in ok(db, "user", "list") if "admin" in u["roles"]] == ["li"]
