"""Verify from the integrity page: administrators and auditors only, one at a time (a second while
one runs is 409 at once, not queued)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from bzr_workflow.web.deskpages import VERIFYING
from pagerun import csrf_of


def test_a_second_verify_while_one_runs_is_409_and_the_first_one_s_end_frees_it(
        browser: Callable[[str | None], TestClient]) -> None:
    admin = browser("admin")
    token = csrf_of(admin.get("/integrity").text)
    with VERIFYING.running():  # a verify under way (another request's)
        busy = admin.post("/integrity/verify", data={"csrf": token})
    assert busy.status_code == 409 and "完整性校验正在进行" in busy.text  # "a verify is already running"
    assert admin.post("/integrity/verify", data={"csrf": token}).status_code == 303


def test_verify_from_the_web_is_403_for_an_advisor_and_the_page_offers_no_button(
        browser: Callable[[str | None], TestClient]) -> None:
    zhang = browser("zhang")
    page = zhang.get("/integrity")
    assert page.status_code == 200 and 'action="/integrity/verify"' not in page.text
    refused = zhang.post("/integrity/verify", data={"csrf": csrf_of(zhang.get("/").text)})
    assert refused.status_code == 403
