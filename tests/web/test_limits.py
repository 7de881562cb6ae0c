"""What one request may cost the others, on a real server: a body above 1 MiB is 413 before it is
read, an address with too many failed sign-ins is 429 while others still sign in, /healthz answers
while sign-ins are in flight, the audit API pages, verify from the web is for administrators and
auditors."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bzr_workflow.application import open_app, parse_location
from webrun import (PASSWORD, Served, guilin_served, guilin_store, http,  # noqa: F401
                    issue_token, set_password)

LIMIT = 1 << 20


def head_of(db: str) -> int:
    """The event log's last position (what any write would move)."""
    app = open_app(parse_location(db))
    try:
        return int(app.recorder.max_notification_id() or 0)
    finally:
        app.close()


def raw(port: int, head: bytes, chunks: tuple[bytes, ...] = ()) -> tuple[int, dict[str, Any]]:
    """Send `head` (a request line and headers) and `chunks` on one socket; the status and JSON
    body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        for chunk in chunks:
            sock.sendall(chunk)
        received = b""
        while b"\r\n\r\n" not in received or not received.endswith(b"}"):
            more = sock.recv(65536)
            if not more:
                break
            received += more
    status = int(received.split(b" ", 2)[1])
    return status, json.loads(received.split(b"\r\n\r\n", 1)[1] or b"null")


def test_a_5_mb_body_is_413_before_it_is_read_and_nothing_is_written(guilin_served: Any) -> None:
    served, db = guilin_served
    token = issue_token(db, "zhang")
    before = head_of(db)
    # Content-Length says 5 MB and not one byte of the body is sent: the answer comes anyway
    status, body = raw(served.port, b"POST /api/v1/recruitment HTTP/1.1\r\nHost: x\r\n"
                       b"Authorization: Bearer " + token.encode() + b"\r\n"
                       b"Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n")
    assert status == 413 and body["code"] == 2 and set(body) == {"error", "code"}, body
    # chunked, with no length said: refused once a little over 1 MiB has streamed in
    piece = b"x" * 65536
    chunks = (b"%x\r\n%b\r\n" % (len(piece), piece),) * (LIMIT // len(piece) + 2)
    status, body = raw(served.port, b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                       chunks)
    assert status == 413 and body["code"] == 2, body
    # the same through a form page
    status, _ = raw(served.port, b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type:"
                    b" application/x-www-form-urlencoded\r\nContent-Length: 5000000\r\n\r\n")
    assert status == 413
    assert head_of(db) == before
    assert http("GET", served.url + "/healthz") == (200, {"ok": True})


def sign_in(url: str, user: str, password: str, address: str) -> tuple[int, Any]:
    """POST /api/v1/session as seen from `address` (the server trusts X-Forwarded-For from
    127.0.0.1, as behind a local reverse proxy)."""
    return http("POST", url + "/api/v1/session", {"user": user, "password": password},
                {"X-Forwarded-For": address})


def test_51_failures_from_one_address_then_429_while_other_addresses_still_sign_in(
        tmp_path: Any) -> None:
    served = Served(guilin_store(str(tmp_path / "store.db")), "--trusted-proxy", "127.0.0.1")
    try:
        url = served.url
        # different names, so that no account lockout (5 per name) answers instead
        with ThreadPoolExecutor(4) as pool:
            failed = list(pool.map(lambda n: sign_in(url, f"nobody{n}", "wrong-password",
                                                     "10.9.8.7"), range(51)))
        assert {status for status, _ in failed} == {401}, failed
        status, body = sign_in(url, "zhang", PASSWORD, "10.9.8.7")
        assert (status, body["code"]) == (429, 3) and {"error", "code"} <= set(body), body
        assert sign_in(url, "zhang", PASSWORD, "10.1.1.1")[0] == 200
        # the page: the login form again, with the message, 429
        status, page = page_login(url, "zhang", PASSWORD, "10.9.8.7")
        assert status == 429 and 'name="password"' in page and "15" in page, page[:500]
    finally:
        served.close()


def page_login(url: str, user: str, password: str, address: str) -> tuple[int, str]:
    """GET /login for its token and cookie, then POST /login from `address`."""
    with urllib.request.urlopen(urllib.request.Request(
            url + "/login", headers={"X-Forwarded-For": address}), timeout=30) as got:
        page, cookie = got.read().decode(), got.headers["set-cookie"].split(";")[0]
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    data = urllib.parse.urlencode({"user": user, "password": password, "csrf": token}).encode()
    request = urllib.request.Request(url + "/login", data=data, method="POST", headers={
        "Cookie": cookie, "X-Forwarded-For": address,
        "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def test_healthz_answers_while_sign_ins_are_in_flight(guilin_served: Any) -> None:
    """20 wrong-password sign-ins at once (argon2 each, from 20 addresses); /healthz, sent after
    them, is answered before the last of them is (with handlers on the event loop it came after
    every one). No timing threshold: bench/web.py has the figures."""
    served, _ = guilin_served
    answered: list[tuple[float, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(21)

    def attempt(n: int) -> None:
        start.wait()
        status, _ = sign_in(served.url, f"storm{n}", "wrong-password", f"10.7.0.{n}")
        with lock:
            answered.append((time.monotonic(), status))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    start.wait()
    time.sleep(0.05)  # the sign-ins are sent
    health = http("GET", served.url + "/healthz")
    healthy_at = time.monotonic()
    for thread in threads:
        thread.join(120)
    assert health == (200, {"ok": True})
    assert {status for _, status in answered} == {401} and len(answered) == 20
    assert healthy_at < max(at for at, _ in answered)


def test_the_audit_api_pages_with_limit_and_after(guilin_served: Any) -> None:
    served, db = guilin_served
    token = issue_token(db, "admin")
    bearer = {"Authorization": f"Bearer {token}"}
    status, everything = http("GET", served.url + "/api/v1/audit?limit=10000", headers=bearer)
    assert status == 200 and len(everything) > 6
    got: list[Any] = []
    path = "/api/v1/audit?limit=3"
    while path:
        with urllib.request.urlopen(urllib.request.Request(served.url + path, headers=bearer),
                                    timeout=30) as answer:
            page = json.loads(answer.read())
            link = answer.headers.get("Link")
        assert len(page) <= 3
        got += page
        path = link.split(">", 1)[0].lstrip("<") if link else ""
    assert got == everything
    assert http("GET", served.url + "/api/v1/audit?limit=10001", headers=bearer)[0] == 400
    assert http("GET", served.url + "/api/v1/audit?after=x", headers=bearer)[0] == 400
    after = everything[2]["position"]
    status, rest = http("GET", served.url + f"/api/v1/audit?after={after}&limit=2",
                        headers=bearer)
    assert status == 200 and rest == everything[3:5]


def test_verify_from_the_web_is_refused_to_one_who_is_not_an_administrator_or_auditor(
        guilin_served: Any) -> None:
    served, db = guilin_served
    set_password(db, "admin")
    for login, allowed in (("zhang", False), ("admin", True)):
        client = signed_in_browser(served.url, login)
        page = client.get("/integrity")
        assert page.status_code == 200
        assert ('action="/integrity/verify"' in page.text) is allowed
        answer = client.post("/integrity/verify", data={"csrf": client.csrf},
                             follow_redirects=False)
        assert answer.status_code == (303 if allowed else 403), answer.text[:300]
        client.close()


def signed_in_browser(url: str, login: str, address: str = "127.0.0.1") -> Any:
    import httpx

    client = httpx.Client(base_url=url, timeout=60)
    status = client.post("/api/v1/session", json={"user": login, "password": PASSWORD},
                         headers={"X-Forwarded-For": address})
    assert status.status_code == 200, status.text
    client.csrf = status.json()["csrf"]  # type: ignore[attr-defined]
    return client


def test_what_a_served_request_records_carries_its_provenance(guilin_served: Any) -> None:
    """Handlers run in the threadpool; the provenance set once per request (deps.asking) still
    reaches what they record: `api` and the token for a bearer, `web`, the session and the
    address for a cookie, through the API and through a page's form."""
    import hashlib

    served, db = guilin_served
    chen = {"Authorization": f"Bearer {issue_token(db, 'chen')}", "X-Forwarded-For": "10.4.4.4"}
    status, opened = http("POST", served.url + "/api/v1/recruitment",
                          {"class": "kj1", "note": "本人申请"}, chen)
    assert status == 201, opened
    ref = opened["id"]
    client = signed_in_browser(served.url, "zhang", "10.5.5.5")
    answer = client.post(f"/cases/{ref}/approve", data={"comment": "同意", "csrf": client.csrf},
                         headers={"X-Forwarded-For": "10.5.5.5"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    session = hashlib.sha256(client.cookies["bzr_session"].encode()).hexdigest()[:16]
    client.close()
    admin = {"Authorization": f"Bearer {issue_token(db, 'admin')}"}  # addresses: theirs to see
    status, rows = http("GET", served.url + f"/api/v1/audit?case={ref}", headers=admin)
    assert status == 200
    # X-Forwarded-For is believed only from a --trusted-proxy: the address is the peer's
    assert [(r["actor"], r["via"], r["session"], r["address"]) for r in rows] == [
        ("chen", "api", "token", "127.0.0.1"), ("zhang", "web", session, "127.0.0.1")]
