"""`bzr-workflow serve` as a real process: it says where it listens, answers /healthz, stops cleanly
on SIGINT and SIGTERM, and several workers on PostgreSQL apply each event to the views once."""

from __future__ import annotations

import json
import signal
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bzr_workflow.application import open_app, parse_location
from webrun import Served, cli_ok, guilin_store, http, issue_token


def port_is_free(port: int) -> bool:
    """Nobody listens there and a server could listen there again (as servers do, with
    SO_REUSEADDR: the connections the test made may linger in TIME_WAIT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            probe.listen()
        except OSError:
            return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_announces_answers_healthz_and_stops_cleanly(sqlite_url: str, sig: int) -> None:
    db = guilin_store(sqlite_url, passwords=False)
    served = Served(db)
    assert served.url.startswith("http://127.0.0.1:") and served.port > 0
    assert http("GET", served.url + "/healthz") == (200, {"ok": True})
    assert not port_is_free(served.port)

    code, stderr, took = served.stop(sig)
    assert code == 0, stderr
    assert "Traceback" not in stderr and "error" not in stderr.lower(), stderr
    assert took < 10
    assert port_is_free(served.port)


def test_serve_refuses_a_store_that_does_not_exist(tmp_path: Any) -> None:
    with pytest.raises(AssertionError, match="serve printed ''"):
        Served(str(tmp_path / "missing.db"), timeout=15)


def test_serve_writes_checkpoints_that_verify_accepts(sqlite_url: str, tmp_path: Any) -> None:
    """Issue 14: the server writes a signed checkpoint at start and then at an interval when
    the log grew; each is one `verify --checkpoint` accepts."""
    import time

    folder = tmp_path / "points"
    folder.mkdir()
    db = guilin_store(sqlite_url, passwords=False)
    served = Served(db, "--checkpoint-dir", str(folder), "--checkpoint-every", "1")
    try:
        assert len(list(folder.iterdir())) == 1  # at start, before it listens
        cli_ok(db, "user", "add", "zhao", "--name", "赵")
        deadline = time.monotonic() + 15
        while len(list(folder.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        served.close()
    points = sorted(str(p) for p in folder.iterdir())
    assert len(points) == 2
    assert json.loads(cli_ok(db, "--json", "verify", *[a for p in points
                                                       for a in ("--checkpoint", p)]))["verified"]


# -- several workers on PostgreSQL -----------------------------------------------------------

VIEWS = [["cases"], ["audit"], ["appointments"], ["user", "list"], ["class", "list"]]


def views(db: str) -> list[Any]:
    return [json.loads(cli_ok(db, "--json", *view)) for view in VIEWS]


@pytest.mark.postgres
def test_two_workers_on_postgresql_apply_each_event_to_the_views_once(pg_url: str) -> None:
    db = guilin_store(pg_url)
    app = open_app(parse_location(db))
    for login, name in (("sun", "孙婷"), ("zhou", "周杰")):
        app.org.add_user(login, name, [], "admin")
    app.org.add_class("tm2", "土木2班", "liuzhou", 30, "专升本", False, "admin")  # one advisor each
    refs = [app.cases.recruit_apply(klass, None, None, "", who)["id"]
            for who, klass in (("chen", "kj1"), ("liu", "kj2"), ("sun", "tm1"), ("zhou", "tm2"))]
    app.close()
    tokens = {who: issue_token(db, who) for who in ("zhang", "huang", "li", "wang")}
    signers = {"kj1": ["zhang", "li", "wang"], "kj2": ["zhang", "li", "wang"],
               "tm1": ["huang", "li", "wang"], "tm2": ["huang", "li", "wang"]}
    klass = dict(zip(refs, ["kj1", "kj2", "tm1", "tm2"]))

    served = Served(db, "--workers", "2")
    try:
        def sign(ref: str, who: str) -> tuple[int, Any]:
            return http("POST", f"{served.url}/api/v1/cases/{ref}/approve", {"comment": "同意"},
                        {"Authorization": f"Bearer {tokens[who]}"})

        def read(who: str) -> tuple[int, Any]:
            return http("GET", served.url + "/api/v1/inbox",
                        headers={"Authorization": f"Bearer {tokens[who]}"})

        with ThreadPoolExecutor(max_workers=8) as pool:
            for level in range(3):  # each level signed on every case at once, reads racing them
                signed = [pool.submit(sign, ref, signers[klass[ref]][level]) for ref in refs]
                reads = [pool.submit(read, who) for who in tokens for _ in range(3)]
                assert [f.result()[0] for f in signed] == [200] * len(refs), \
                    [f.result() for f in signed]
                assert all(f.result()[0] == 200 for f in reads)
        status, inbox = read("wang")
        assert (status, inbox) == (200, [])
        for ref in refs:
            status, case = http("GET", f"{served.url}/api/v1/cases/{ref}",
                                headers={"Authorization": f"Bearer {tokens['li']}"})
            assert (status, case["state"]) == (200, "published")
        code, stderr, _ = served.stop(signal.SIGTERM)
        assert code == 0 and "Traceback" not in stderr, stderr
    finally:
        served.close()

    before = views(db)
    assert len(before[0]) == 4 and all(c["state"] == "published" for c in before[0])
    assert sum(1 for e in before[1] if e["action"] == "published") == 4
    cli_ok(db, "rebuild")
    after = views(db)
    assert after[1][-1]["action"] == "rebuilt" and after[1][-1]["actor"] == "admin"
    assert [after[0], after[1][:-1], *after[2:]] == before


def test_the_server_parses_http_with_httptools_not_h11() -> None:
    """httptools is a dependency, so uvicorn's default (http="auto", as `serve` leaves it)
    takes it: h11's pure-Python parser cost a quarter of the event loop's time a request."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    assert AutoHTTPProtocol is HttpToolsProtocol
