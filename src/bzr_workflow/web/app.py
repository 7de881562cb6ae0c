"""The ASGI application: one WorkflowApp per process behind the pages, the JSON API and the assets."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from ..application import Location, WorkflowApp, open_app
from . import api, errors, openapi, pages
from .boundary import Boundary

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def create_app(location: Location, door: WorkflowApp | None = None) -> FastAPI:
    """The web application over the store at `location` (or over an open `door`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = door is None
        app.state.door = door or open_app(location)
        app.state.door.institution()  # an uninitialised store says so at start, not per request
        try:
            yield
        finally:
            if opened:
                app.state.door.close()

    app = FastAPI(title="bzr-workflow", version="1", lifespan=lifespan,
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)
    errors.install(app)
    openapi.install(app)  # WEB.md's statuses and schemes, not FastAPI's 422 {detail}
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Boundary)  # framing and caching headers, bodies that are UTF-8

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"ok": True})

    return app
