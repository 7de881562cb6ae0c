"""One flat table of routes: each router's routes put into the app's own list, in order, instead of `include_router`.

FastAPI 0.165's `include_router` keeps each router as one entry that is asked for a match
twice a request (once to find it, once more to dispatch), each time trying every route inside
it with two scope-dict updates around each: on this app, 110 routes, 80 % of the event
loop's time for a `GET /healthz` (bench.md, issue 24, part 12). Earlier FastAPIs copied the
routes into the app's list; this does that whatever the version. The routes are the same
objects, in the same order, so the first to match is the one that matched before, a wrong
method is the same 405, and the OpenAPI document and `url_for` see the same routes.

What `include_router` would add beyond the routes themselves (a prefix, dependencies, tags,
responses given at the inclusion) is never used here: every router carries its own prefix
and settings, which FastAPI gives each route when it is declared. A router that holds an
included router is refused, so a later `include_router` cannot bring the slow path back
unnoticed (tests/web/test_routes.py)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI


def extend(into: APIRouter | FastAPI, *routers: APIRouter) -> None:
    """Put every route of each of `routers` at the end of `into`'s own routes, in order."""
    target = into.router if isinstance(into, FastAPI) else into
    for router in routers:
        for route in router.routes:
            if hasattr(route, "original_router") or isinstance(route, APIRouter):
                raise TypeError(f"{route!r}: a router inside a router; give its routes with"
                                " routes.extend instead of include_router")
        target.routes.extend(router.routes)
