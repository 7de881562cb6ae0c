"""What one request may cost the others: the body cap, the sign-in limits, one verify at a time.

The body cap acts before anything is read; the per-address limit on failed sign-ins before the
password is checked; password checks run on their own few worker threads."""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio
from fastapi import Request

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..adapters.files import REQUEST_CAP
from ..domain.errors import AccountLocked, BadInput, Conflict, SignInFailed
from .errors import TooManySignIns

MAX_BODY = 1 << 20  # WEB.md: a request body above 1 MiB is 413 (file uploads get their own cap)
UPLOADS = ("/admin/import/",)  # the paths that take a file upload, and their cap:
MAX_UPLOAD = 5 << 20  # as adapters.uploads.UPLOAD_MAX (multipart framing included)
FAILURES, WINDOW = 50, 15 * 60.0  # WEB.md: a per-address limit starts above 50 in 15 minutes
TRACKED = 100_000  # addresses remembered at most (the oldest are forgotten first)
PASSWORD_CHECKS = max(1, (os.cpu_count() or 2) // 2)
"""Sign-ins checked at once (argon2id: 64 MiB and up to 4 lanes each); the rest wait their turn."""
T = TypeVar("T")

UPLOAD_PATH = re.compile(r"/(api/v1/)?cases/[^/]+/summary")
"""Where a multipart body may carry attached files: the upload caps (web/uploads.py,
adapters/files.py) apply there instead of MAX_BODY."""
UPLOAD_BODY = REQUEST_CAP + (2 << 20)  # the files, their text fields and the multipart framing

TOO_LARGE = "the request body is above {limit} bytes; nothing was read or written"


class BodyTooLarge(HTTPException):
    """A streamed body that grew past the cap while the application read it (413, code 2)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, TOO_LARGE.format(limit=limit))


class BodyCap:
    """Pure ASGI middleware: a declared Content-Length above `limit` is answered 413 at once,
    before the application runs or a byte of the body is read; a body without one (chunked) is
    counted as it streams in and refused the moment it passes `limit`, before it is parsed."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY, upload_limit: int = MAX_UPLOAD) -> None:
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    def limit_of(self, scope: Scope) -> int:
        """The cap of this request: an administrator's import upload its own (MAX_UPLOAD), a
        multipart POST of a self-summary's attachments UPLOAD_BODY (whose files are counted
        again, each against its own cap, as they stream: web/uploads.py), else the body cap."""
        path = str(scope.get("path", ""))
        if scope.get("method") == "POST" and path.startswith(UPLOADS):
            return self.upload_limit
        if scope.get("method") == "POST" and UPLOAD_PATH.fullmatch(path):
            kind = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
            if kind.lower().startswith(b"multipart/form-data"):
                return max(self.limit, UPLOAD_BODY)
        return self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        cap = self.limit_of(scope)
        if declared is not None and (not declared.strip().isdigit()
                                     or int(declared) > cap):
            bad = not declared.strip().isdigit()
            text = "Content-Length is not a number" if bad else TOO_LARGE.format(limit=cap)
            answer = JSONResponse({"error": text, "code": BadInput.exit_code},
                                  status_code=400 if bad else 413,
                                  headers={"Connection": "close"})
            await answer(scope, receive, send)
            return
        limit, seen = cap, 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except BodyTooLarge:  # raised where no handler of the app's sees it (another middleware)
            if started:
                raise
            answer = JSONResponse({"error": TOO_LARGE.format(limit=limit),
                                   "code": BadInput.exit_code}, status_code=413,
                                  headers={"Connection": "close"})
            await answer(scope, receive, send)


def password_checks() -> anyio.CapacityLimiter:
    """The limiter of sign-ins (made in the application's lifespan, inside the event loop)."""
    return anyio.CapacityLimiter(PASSWORD_CHECKS)


async def checking_password(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run a sign-in `fn(*args)` in a worker thread, at most PASSWORD_CHECKS at once. A storm of
    sign-ins waits here, as coroutines: it holds neither the event loop nor the threadpool that
    serves every other request, and argon2's memory stays bounded."""
    limiter: anyio.CapacityLimiter = request.app.state.password_checks
    return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=limiter)


class SignInLimit:
    """Failed sign-ins counted per network address over a sliding `window`; once an address has
    more than `failures` there, its sign-ins are refused (TooManySignIns, 429) before any password
    is checked, so wrong passwords cannot be used to load the server. Kept in this process's
    memory: with several workers each counts its own (the account lockout, per name and in the
    store, is what protects an account)."""

    def __init__(self, failures: int = FAILURES, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures, self.window, self.clock = failures, window, clock
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float] | None:
        times = self._seen.get(address)
        while times and times[0] <= now - self.window:
            times.popleft()
        if times is not None and not times:
            del self._seen[address]
            return None
        return times

    def blocked(self, address: str) -> bool:
        with self._lock:
            times = self._recent(address, self.clock())
            return times is not None and len(times) > self.failures

    def failed(self, address: str) -> None:
        with self._lock:
            now = self.clock()
            times = self._recent(address, now)
            if times is None:
                if len(self._seen) >= TRACKED:  # forget the address seen longest ago
                    del self._seen[next(iter(self._seen))]
                times = self._seen[address] = deque(maxlen=self.failures + 1)
            times.append(now)

    def refuse_blocked(self, address: str) -> None:
        """TooManySignIns for an address over the limit (asked before a sign-in waits its turn,
        and again when its turn comes)."""
        if self.blocked(address):
            raise TooManySignIns("too many failed sign-ins from this address; try again in "
                                 "15 minutes")

    @contextmanager
    def attempt(self, address: str) -> Iterator[None]:
        """Refuse a blocked address at once; count the sign-in if it fails."""
        self.refuse_blocked(address)
        try:
            yield
        except (SignInFailed, AccountLocked):
            self.failed(address)
            raise


class OneAtATime:
    """A long read (verify) that one request at a time may run; a second meanwhile is a
    Conflict (409, code 4) at once rather than a queue of them."""

    def __init__(self, busy: Conflict) -> None:
        self.busy = busy
        self._lock = threading.Lock()

    @contextmanager
    def running(self) -> Iterator[None]:
        if not self._lock.acquire(blocking=False):
            raise self.busy
        try:
            yield
        finally:
            self._lock.release()
