"""The README's first command: `python3 dev.py demo --no-serve` plays a round and prints a password
for every demo person, and a printed password signs in on the served web."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from webrun import Served, http

ROOT = Path(__file__).resolve().parents[2]
DEMO_PEOPLE = {"admin", "zhang.nn", "huang.lz", "li.dean", "wang.office", "chen", "liu", "zhao",
               "sun", "zhou"}


def printed_passwords(stdout: str) -> dict[str, str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Sign in on the web"))
    found = {}
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        login, password, *_ = line.split()
        found[login] = password
    return found


def test_demo_no_serve_prints_passwords_that_sign_in(tmp_path: Any) -> None:
    db = str(tmp_path / "demo.db")
    played = subprocess.run([sys.executable, str(ROOT / "dev.py"), "demo", "--db", db,
                             "--no-serve"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert played.returncode == 0, played.stderr[-2000:]
    assert "serving http" not in played.stdout
    passwords = printed_passwords(played.stdout)
    assert set(passwords) == DEMO_PEOPLE, played.stdout
    assert len(set(passwords.values())) == len(passwords)
    assert all(len(p) >= 8 for p in passwords.values())

    served = Served(db)
    try:
        status, me = http("POST", served.url + "/api/v1/session",
                          {"user": "zhang.nn", "password": passwords["zhang.nn"]})
        assert status == 200 and (me["user"], me["name"]) == ("zhang.nn", "张建国"), me
        status, refused = http("POST", served.url + "/api/v1/session",
                               {"user": "li.dean", "password": passwords["zhang.nn"]})
        assert (status, refused["code"]) == (401, 3)
    finally:
        served.close()
