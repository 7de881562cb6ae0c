"""The web tests' fixtures: one served Guilin store per module, and Debian's Chromium (required
under CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from webrun import CHROMIUM, Served, guilin_store


@pytest.fixture(scope="module")
def guilin_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    """One server per module over a Guilin store with passwords: (the server, the store)."""
    db = guilin_store(str(tmp_path_factory.mktemp("served") / "store.db"))
    served = Served(db)
    yield served, db
    served.close()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium: under CI its absence fails the run; elsewhere the browser tests skip."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium fonts-wqy-microhei"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI must run the browser tests, not skip them)")
        pytest.skip(message)
    return CHROMIUM
