"""The app's routes as one flat table (web/routes.py): every router's routes in order, no router inside a router, and what a client sees unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pagerun import csrf_of

from bzr_workflow.application import WorkflowApp
from bzr_workflow.web import (accountpages, adminpages, advisorpages, api, appraisalpages,
                              batchpages, casepages, deadlinepages, delegationapi,
                              delegationpages, deskpages, exportapi, handoverapi, pages, routes,
                              workapi, workpages)
from bzr_workflow.web.app import create_app

ROUTERS = [api.router, exportapi.router, workapi.router, delegationapi.router,
           handoverapi.router, pages.router]
PAGE_ROUTERS = [casepages.router, deskpages.router, accountpages.router, appraisalpages.router,
                workpages.router, advisorpages.router, adminpages.router, batchpages.router,
                delegationpages.router, deadlinepages.router]


@pytest.fixture
def web(store: WorkflowApp) -> Iterator[tuple[FastAPI, TestClient]]:
    app = create_app(store.location, store)
    with TestClient(app, follow_redirects=False, headers={"Accept-Language": "en"}) as client:
        yield app, client


def test_every_route_of_every_router_is_the_apps_own_in_the_order_declared(
        web: tuple[FastAPI, TestClient]) -> None:
    app, _ = web
    declared = [route for router in ROUTERS for route in router.routes]
    inside = [route for route in app.routes if route in declared]
    assert inside == declared  # the same objects, in the same order
    assert not [r for r in app.routes if hasattr(r, "original_router")]  # no included router
    page_routes = [route for router in PAGE_ROUTERS for route in router.routes]
    assert pages.router.routes[:len(page_routes)] == page_routes  # the areas first, as before
    paths = {r.path for r in app.routes if isinstance(r, APIRoute)}
    assert {"/api/v1/cases/{ref}/approve", "/login", "/", "/admin"} <= paths


def test_a_router_inside_a_router_is_refused_by_name() -> None:
    outer, inner = APIRouter(), APIRouter()

    @inner.get("/x")
    def x() -> dict[str, str]:
        return {}

    outer.include_router(inner)
    target = APIRouter()
    if any(hasattr(r, "original_router") for r in outer.routes):  # FastAPI 0.16x keeps it
        with pytest.raises(TypeError, match="a router inside a router"):
            routes.extend(target, outer)
        assert target.routes == []
    else:  # earlier FastAPIs copied the routes: nothing slow to refuse
        routes.extend(target, outer)
        assert [r.path for r in target.routes] == ["/x"]


def test_what_a_client_sees_is_unchanged(web: tuple[FastAPI, TestClient]) -> None:
    _, client = web
    assert client.get("/healthz").json() == {"ok": True}
    wrong = client.get("/api/v1/cases/R1/approve")  # a POST route asked with GET
    assert (wrong.status_code, wrong.json()["code"]) == (405, 2)
    assert client.get("/no-such-page").status_code == 404
    login = client.get("/login")
    assert login.status_code == 200
    assert csrf_of(login.text)
    assert client.get("/").status_code == 303  # the inbox sends the signed-out to /login
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{ref}/approve" in spec["paths"]
    assert not [p for p in spec["paths"] if not p.startswith("/api/v1/")]  # pages stay out
    assert client.app.url_path_for("login_form") == "/login"  # type: ignore[attr-defined]
