"""Personal data (PIPL) and encryption at rest, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.adapters.personal import ERASED
from bzr_workflow.adapters.seal import Seal
from bzr_workflow.domain.errors import BadInput


def stored_states(app: WorkflowApp) -> bytes:
    return b"".join(bytes(n.state) for n in app.recorder.select_notifications(start=None,
                                                                               limit=10_000))


def given_profile(app: WorkflowApp) -> None:
    app.org.update_user("chen", {"phone": "13800138000", "birth": "1980-05", "gender": "男",
                             "id_number": "450103198005012345"}, "admin")


def test_personal_fields_are_never_stored_in_clear(app: WorkflowApp) -> None:
    given_profile(app)
    states = stored_states(app)
    assert b"13800138000" not in states and b"450103198005012345" not in states
    assert app.org.profile(app.user("chen"))["phone"] == "13800138000"


def test_erasing_a_person_leaves_history_and_seal_intact(app: WorkflowApp) -> None:
    given_profile(app)
    before = Seal(app.location).verify()
    result = app.org.erase_person("chen", "admin")
    profile = app.org.profile(app.user("chen"))
    assert result["erased"] and result["fields"] == ["birth", "gender", "id_number", "phone"]
    # every profile field is under the key now (性别 too), not only the four forms call personal
    assert (profile["phone"], profile["birth"], profile["gender"]) == (ERASED, ERASED, ERASED)
    after = Seal(app.location).verify(before["head"])
    assert after["events"] == before["events"] + 1  # the erasure itself is on record


def test_an_erased_birth_date_reads_as_erased_on_the_award_form(app: WorkflowApp) -> None:
    given_profile(app)
    app.org.erase_person("chen", "admin")
    advisor = app.user("chen")
    advisor.take_class("kj1", "R-0", 0)
    advisor.record_result("2026-2027-1", "优秀", "90", "A-1", "li")
    app.save(advisor)
    ref = app.awards.nominate("chen", "2026-2027-1", "", None, "zhang")["id"]
    assert app.reads.recommendation_form(ref)["fields"]["出生年月"] == ERASED


@pytest.fixture
def key() -> str:
    import base64
    import os

    return base64.b64encode(os.urandom(32)).decode()


def test_with_a_cipher_key_stored_events_hold_no_plain_text(db_url: str, key: str) -> None:
    from guilin_org import make_org

    app = make_org(open_app(parse_location(db_url, key), create=True))
    app.cases.recruit_apply("kj1", None, None, "本人申请担任班主任", "chen")
    states = stored_states(app)
    app.close()
    assert "本人申请担任班主任".encode() not in states and "陈晓明".encode() not in states
    again = open_app(parse_location(db_url, key))
    assert again.reads.show("R-1")["note"] == "本人申请担任班主任"
    assert Seal(again.location).verify()["verified"]
    again.close()


def test_without_the_key_an_encrypted_store_says_so(sqlite_url: str, key: str) -> None:
    from guilin_org import make_org

    make_org(open_app(parse_location(sqlite_url, key), create=True)).close()
    plain = open_app(parse_location(sqlite_url))
    with pytest.raises(BadInput, match="BZR_WORKFLOW_CIPHER_KEY"):
        plain.attempt(lambda: plain.user("chen"))
    plain.close()


def test_a_malformed_key_is_refused_before_anything_is_opened(tmp_path: Any) -> None:
    with pytest.raises(BadInput, match="key create"):
        parse_location(str(tmp_path / "x.db"), "not-a-key")
