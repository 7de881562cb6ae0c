"""An erasure made by another process is noticed by a running one within 2 seconds, whatever it
read first (issue 20 item 9): a name it read before is not shown after."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location

ERASED_NAME = "陈晓明"


def erase_elsewhere(db: str) -> None:
    other = open_app(parse_location(db))
    try:
        other.org.erase_person("chen", "admin")
    finally:
        other.close()


FIRST_READS: dict[str, Callable[[WorkflowApp], Any]] = {
    "the person": lambda app: app.user("chen").name,
    "the user list": lambda app: app.reads.users(),
    "their case": lambda app: app.reads.show(
        app.cases.recruit_apply("kj1", None, None, "", "chen")["id"]),
    "nothing": lambda app: None,
}


@pytest.mark.parametrize("first", FIRST_READS)
def test_an_erasure_by_another_process_is_seen_within_two_seconds(
        sqlite_app: WorkflowApp, sqlite_url: str, first: str) -> None:
    server = open_app(parse_location(sqlite_url))  # a running server's own application
    try:
        FIRST_READS[first](server)
        if first == "the person":
            assert server.user("chen").name == ERASED_NAME
        erase_elsewhere(sqlite_url)
        time.sleep(server.erasure_check_seconds + 0.1)
        assert ERASED_NAME not in str(server.reads.users())
        assert server.user("chen").name != ERASED_NAME
        time.sleep(server.erasure_check_seconds + 0.1)  # and the person read first, again
        assert server.user("chen").name != ERASED_NAME
    finally:
        server.close()


def test_the_person_read_alone_is_not_shown_after_two_seconds(
        sqlite_app: WorkflowApp, sqlite_url: str) -> None:
    """The reproduction: the server's first read was the person (cached decoded), no list."""
    server = open_app(parse_location(sqlite_url))
    try:
        assert server.user("chen").name == ERASED_NAME
        erase_elsewhere(sqlite_url)
        time.sleep(server.erasure_check_seconds + 0.1)
        assert server.user("chen").name != ERASED_NAME
    finally:
        server.close()
