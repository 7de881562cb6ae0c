"""Page-test fixtures: a Guilin store on a real SQLite file whose people have passwords, and browsers signed in through /login."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from guilin_org import USERS, make_org
from pagerun import password, sign_in

@pytest.fixture
def store(tmp_path: Any) -> Iterator[WorkflowApp]:
    """The Guilin organisation, every person (and admin) with the password `password(login)`."""
    app = make_org(open_app(parse_location(str(tmp_path / "store.db")), create=True))
    for login in ["admin", *(u[0] for u in USERS)]:
        app.credentials.set_password(login, password(login), "admin")
    yield app
    app.close()


@pytest.fixture
def browser(store: WorkflowApp) -> Iterator[Callable[[str | None], TestClient]]:
    """A browser per person over one web application on the store (None: nobody signed in)."""
    web = create_app(store.location, store)
    opened: list[TestClient] = []

    def open_as(login: str | None) -> TestClient:
        client = TestClient(web, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return sign_in(client, login) if login else client
    yield open_as
    for client in opened:
        client.__exit__(None, None, None)
