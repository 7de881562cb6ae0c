"""The ASGI application: one WorkflowApp per process behind the pages, the JSON API and the assets.

How requests share the process (no request waits on another):

- The event loop only accepts connections, parses requests and runs what does not block:
  `/healthz`, the static files, the body cap (limits.BodyCap), the dependencies that only
  check what is already known. Every handler that calls the door (argon2, the store, the
  views, a file export) is a plain `def`, which FastAPI runs in its threadpool (anyio's, 40
  threads); so is the dependency that looks up the session (deps._identify). A slow query
  or an export holds its own thread, never the loop. Sign-ins (argon2id, 64 MiB each) are
  handed to worker threads explicitly through their own limiter (limits.checking_password:
  half the cores at once), so a storm of them waits as coroutines and holds neither the loop
  nor the threadpool the other requests use.
- The door (one WorkflowApp and its services) is shared by those threads. It is safe for
  that: eventsourcing's repository locks its cache and fast-forwards one aggregate at a time;
  the store's connections are per thread (eventsourcing's pool, the key and credential
  tables' thread-local connections, a new SQLite connection per credential read); the person
  keys a command fetched are per thread (KeyRing); the services are made before the first
  request (warm), not lazily by racing threads. The provenance of what a request records
  (via, session, address) is a ContextVar set once per request on the request's own task
  (deps.asking), which each handler's thread copies when it starts.
- SQLite: one writer at a time (its write lock, taken up front with BEGIN IMMEDIATE; a writer
  that finds it taken waits up to 10 s and then the request is 409, code 4); reads run
  concurrently with each other and with the writer (WAL). A read catches the views up only
  when the log is ahead of them (projections/catchup.py), so reads with nothing new take no
  write lock. PostgreSQL: several workers (`serve --workers N`), each process as above; the
  event table's lock orders writers, the views' position row (FOR UPDATE) orders catch-ups.
- What one request may cost is bounded: bodies above 1 MiB are 413 before they are read;
  an address with more than 50 failed sign-ins in 15 minutes is 429 before any password is
  checked; `/api/v1/audit` is paged, the audit downloads capped, verify from the web is for
  administrators and auditors and runs one at a time (limits.py, api.py, deskpages.py).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ..application import Location, WorkflowApp, open_app
from ..domain.errors import WorkflowError
from . import (api, delegationapi, errors, exportapi, handoverapi, openapi, pages, routes,
               workapi)
from .boundary import Boundary
from .deps import SignInFirst
from .limits import BodyCap, SignInLimit, password_checks
from .messages import language
from .render import refused, to_login
from .scheduler import DueWorkScheduler

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


_NO_TELEMETRY: dict[str, Any] = {}
"""FastAPI's OpenTelemetry hooks turned off where this FastAPI has them (its recent versions):
nothing here configures a provider, yet every request looked for one (reading the environment
each time)."""
if "telemetry" in inspect.signature(FastAPI.__init__).parameters:
    _NO_TELEMETRY["telemetry"] = {"tracing": False, "metrics": False, "logs": False}


def create_app(location: Location, door: WorkflowApp | None = None,
               tick: float = 0) -> FastAPI:
    """The web application over the store at `location` (or over an open `door`); the
    concurrency model is in this module's docstring. With `tick` > 0, the engine's due work
    (a 公示 that has run finalised by rule) runs every `tick` seconds in a background thread
    (web/scheduler.py) while the application runs."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = door is None
        app.state.door = door or open_app(location)
        app.state.password_checks = password_checks()
        app.state.scheduler = None
        try:
            await run_in_threadpool(warm, app.state.door)
            if tick > 0:
                app.state.scheduler = DueWorkScheduler(app.state.door, tick)
                app.state.scheduler.start()
            yield
        finally:
            if app.state.scheduler is not None:
                await run_in_threadpool(app.state.scheduler.stop)
            if opened:
                app.state.door.close()

    app = FastAPI(title="bzr-workflow", version="1", lifespan=lifespan,
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None,
                  **_NO_TELEMETRY)
    app.state.signin_limit = SignInLimit()
    errors.install(app)

    @app.exception_handler(WorkflowError)
    async def _refused(request: Request, exc: WorkflowError) -> Response:
        """The API answers a refusal as JSON; a page, as a page (rendered off the loop)."""
        if request.url.path.startswith("/api/"):
            return errors.refusal(exc, language(request))
        return await run_in_threadpool(refused, request, exc)

    @app.exception_handler(SignInFirst)
    async def _sign_in_first(request: Request, exc: SignInFirst) -> Response:
        return to_login()

    openapi.install(app)  # WEB.md's statuses and schemes, not FastAPI's 422 {detail}
    routes.extend(app, api.router, exportapi.router, workapi.router, delegationapi.router,
                  handoverapi.router, pages.router)  # flat: routes.py says why
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Boundary)  # framing and caching headers, bodies that are UTF-8
    app.add_middleware(BodyCap)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"ok": True})

    return app


def warm(door: WorkflowApp) -> None:
    """Open what the first requests would otherwise open at once from several threads: an
    uninitialised store says so at start, not per request."""
    door.institution()
    door.credentials.tables  # noqa: B018 - made now, not by racing threads
    door.reads.views  # noqa: B018
