"""What every answer and every request body passes at the door: framing and caching headers, bodies that are UTF-8."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from ..domain.errors import BadInput

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FRAMING = [(b"x-frame-options", b"DENY"),
           (b"content-security-policy", b"frame-ancestors 'none'"),
           (b"x-content-type-options", b"nosniff")]
"""On every answer: no page is shown inside another site's (or our own) frame, so a sign-off
form cannot be laid under a decoy; and no answer is sniffed as another type."""

NO_STORE = (b"cache-control", b"no-store")
MAX_BODY = 1024 * 1024
"""A form or JSON body is read whole to check it: above this (WEB.md's cap) it is 413."""
CHECKED_BODIES = ("application/x-www-form-urlencoded", "application/json")
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class Boundary:
    """An ASGI middleware: adds the framing headers to every answer and `Cache-Control:
    no-store` to every answer given to a signed-in request (a session cookie or an API token;
    the shared assets under /static/ aside) or that sets a cookie; refuses (400, code 2) a
    query, form or JSON body that is not UTF-8, or whose percent-escapes are not, before
    Starlette would read it with U+FFFD in its place."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        private = _signed_in(headers) and not str(scope.get("path", "")).startswith("/static/")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = list(message.get("headers") or [])
                names = {name.lower() for name, _ in given}
                added = [(k, v) for k, v in FRAMING if k not in names]
                if private or b"set-cookie" in names:
                    given = [(k, v) for k, v in given if k.lower() != b"cache-control"]
                    added.append(NO_STORE)
                message["headers"] = given + added
            await send(message)

        if not _utf8_query(scope.get("query_string", b"")):
            await _refuse("a query value is not UTF-8", sending)
            return
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower().decode("latin-1")
        if scope.get("method") not in WRITES or kind not in CHECKED_BODIES:
            await self.app(scope, receive, sending)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay(b"", receive, message), sending)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_BODY:  # never held whole: WEB.md's cap, refused as it comes
                await _refuse(f"the request body is above {MAX_BODY // 1024 // 1024} MiB",
                              sending, 413)
                return
        problem = _not_utf8(body, kind)
        if problem:
            await _refuse(problem, sending)
            return
        await self.app(scope, _replay(body, receive), sending)


def _signed_in(headers: dict[bytes, bytes]) -> bool:
    """A request that carries a session cookie or an API token: its answer is someone's own."""
    if headers.get(b"authorization"):
        return True
    return b"bzr_session=" in headers.get(b"cookie", b"")


def _not_utf8(body: bytes, kind: str) -> str:
    """Why a body is refused ("" when it is not): bytes or escapes that are not UTF-8, and a
    JSON string escape that is half a surrogate pair (no character at all)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"the request body is not UTF-8 (byte {exc.start})"
    if kind == "application/json":
        try:
            parsed = json.loads(text) if text.strip() else None
        except ValueError:
            return ""  # malformed JSON: the API's own validation says so
        if _lone_surrogate(parsed):
            return "the request body holds an escape that is no character (a lone surrogate)"
        return ""
    try:
        parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return "a form field is not UTF-8 (check the page's encoding)"
    return ""


def _utf8_query(raw: bytes) -> bool:
    """Whether a query string and its percent-escapes are UTF-8 (Starlette would read them
    with U+FFFD in place of what is not)."""
    try:
        parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8",
                  errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def _lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_lone_surrogate(k) or _lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_lone_surrogate(v) for v in value)
    return False


def _replay(body: bytes, receive: Receive, last: Message | None = None) -> Receive:
    """The body read once, handed on as one message; then whatever the client says next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if last is not None:
            return last
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replayed


async def _refuse(problem: str, send: Send, status: int = 400) -> None:
    body = json.dumps({"error": problem, "code": BadInput.exit_code}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": body})
