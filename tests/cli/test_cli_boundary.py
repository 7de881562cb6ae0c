"""The CLI's side of issue 20 items 6 and 9: invisible characters refused (exit 2), an unknown
step named with the step ids (exit 2), a second open application refused (exit 1), a stranger's
write answered "may not read" (exit 3); nothing written by any of them."""

from __future__ import annotations

import pytest

from clirun import invoke, ok, organise


@pytest.fixture
def store(sqlite_url: str) -> str:
    organise(sqlite_url)
    return sqlite_url


@pytest.fixture
def case(store: str) -> str:
    return str(ok(store, "recruit", "apply", "--class", "kj1", "--note", "本人申请",
                  actor="chen")["id"])


def refused(db: str, code: int, *args: str, actor: str) -> str:
    before = ok(db, "audit")
    result = invoke(db, *args, actor=actor)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert ok(db, "audit") == before
    return result.stderr


@pytest.mark.parametrize("mark", ["\u200b", "\u200f", "\u202e", "\u2069", "\u2029", "\ufeff",
                                  "\U000e0067"])
def test_a_comment_or_name_with_an_invisible_character_is_refused_exit_2(
        store: str, case: str, mark: str) -> None:
    assert f"U+{ord(mark):04X}" in refused(store, 2, "approve", case, "--comment",
                                           f"同意{mark}", actor="zhang")
    refused(store, 2, "user", "add", "zhou", "--name", f"周{mark}", actor="admin")


def test_an_unknown_step_is_refused_exit_2_naming_the_step_ids(store: str, case: str) -> None:
    said = refused(store, 2, "approve", case, "--step", "boss", actor="zhang")
    assert "site_review" in said and "college_approval" in said


def test_a_second_open_application_for_the_class_is_refused_exit_1(store: str,
                                                                   case: str) -> None:
    assert case in refused(store, 1, "recruit", "apply", "--class", "kj1", actor="chen")


def test_a_strangers_approval_is_refused_exit_3_saying_only_may_not_read(
        store: str, case: str) -> None:
    said = refused(store, 3, "approve", case, actor="huang")
    assert "may not read" in said and "chen" not in said and "nanning" not in said
