"""The CLI through `--server URL` (issue 20 item 8): an API client acting as the owner of
BZR_WORKFLOW_TOKEN against a real `serve` process; `--as` refused; what the API does not offer
said so; refusals as the CLI's one line with the API's code as the exit code."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bzr_workflow.cli import cli
from webrun import CLEAN_ENV, Served, cli_ok, guilin_store, issue_token


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the server's URL, the store) over a Guilin store nobody has signed anything in."""
    db = guilin_store(str(tmp_path_factory.mktemp("cli-server") / "store.db"), passwords=False)
    server = Served(db)
    yield server.url, db
    server.close()


@pytest.fixture(scope="module")
def tokens(served: tuple[str, str]) -> dict[str, str]:
    return {who: issue_token(served[1], who) for who in ("chen", "liu", "zhang", "li")}


def through(url: str, token: str | None, *args: str, as_json: bool = True,
            extra: dict[str, str] | None = None) -> Result:
    env: dict[str, str | None] = {**CLEAN_ENV, "BZR_WORKFLOW_SERVER": url,
                                  "BZR_WORKFLOW_TOKEN": token, **(extra or {})}
    return CliRunner().invoke(cli, [*(["--json"] if as_json else []), *args], env=env)


def answer(result: Result) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def refused(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and result.stdout == "", lines
    return lines[0]


def local(db: str, *args: str, actor: str | None = None) -> Any:
    return json.loads(cli_ok(db, "--json", *args, actor=actor))


def test_the_cli_through_the_server_acts_as_the_tokens_owner(
        served: tuple[str, str], tokens: dict[str, str]) -> None:
    url, db = served
    opened = answer(through(url, tokens["chen"], "recruit", "apply", "--class", "kj1",
                            "--note", "本人申请"))
    ref = opened["id"]
    signed = answer(through(url, tokens["zhang"], "approve", ref, "--comment", "同意"))
    assert signed["id"] == ref and signed["state"] == "open"
    rows = local(db, "audit", "--case", ref)
    assert [(r["actor"], r["via"], r["session"]) for r in rows] == [
        ("chen", "api", "token"), ("zhang", "api", "token")]
    assert all(r["os_user"] is None and r["host"] is None for r in rows)


def test_reads_through_the_server_are_the_same_json_as_locally(
        served: tuple[str, str], tokens: dict[str, str]) -> None:
    url, db = served
    ref = answer(through(url, tokens["liu"], "recruit", "apply", "--class", "kj2"))["id"]
    remote_inbox = answer(through(url, tokens["zhang"], "inbox"))
    assert ref in [c["id"] for c in remote_inbox]
    assert remote_inbox == local(db, "inbox", actor="zhang")
    assert answer(through(url, tokens["zhang"], "show", ref)) == local(db, "show", ref)
    assert answer(through(url, tokens["zhang"], "history", ref)) == local(db, "history", ref)
    assert answer(through(url, tokens["zhang"], "cases", "--state", "open", "--limit", "50")) == \
        local(db, "cases", "--state", "open", "--limit", "50")
    mine = answer(through(url, tokens["liu"], "audit", "--case", ref))
    assert [r["actor"] for r in mine] == ["liu"]
    text = through(url, tokens["zhang"], "show", ref, as_json=False)
    assert text.exit_code == 0 and text.stdout.startswith(f"{ref}  recruitment")


def test_veto_return_and_withdraw_go_through_the_server(
        served: tuple[str, str], tokens: dict[str, str]) -> None:
    url, db = served
    first = answer(through(url, tokens["chen"], "recruit", "apply", "--class", "kj2"))["id"]
    returned = answer(through(url, tokens["zhang"], "return", first, "--reason", "补材料"))
    assert returned["id"] == first
    withdrawn = answer(through(url, tokens["chen"], "withdraw", first, "--reason", "不申请了"))
    assert withdrawn["state"] == "withdrawn"
    second = answer(through(url, tokens["liu"], "recruit", "apply", "--class", "kj1"))["id"]
    assert answer(through(url, tokens["zhang"], "veto", second, "--reason", "不符合"))[
        "state"] == "vetoed"
    acts = [(r["actor"], r["via"]) for ref in (first, second)
            for r in local(db, "audit", "--case", ref)]
    assert acts == [("chen", "api"), ("zhang", "api"), ("chen", "api"),
                    ("liu", "api"), ("zhang", "api")]


def test_as_is_refused_with_server(served: tuple[str, str], tokens: dict[str, str]) -> None:
    url, _ = served
    line = refused(through(url, tokens["chen"], "--as", "admin", "inbox"), 2)
    assert "--as" in line and "token" in line
    refused(through(url, tokens["chen"], "inbox", extra={"BZR_WORKFLOW_ACTOR": "admin"}), 2)


def test_a_command_the_api_does_not_offer_says_so(served: tuple[str, str],
                                                  tokens: dict[str, str]) -> None:
    url, db = served
    before = local(db, "user", "list")
    for args in (["user", "add", "mallory", "--name", "M"], ["user", "list"], ["verify"],
                 ["user", "token", "chen", "--list"]):
        line = refused(through(url, tokens["li"], *args), 2)
        assert "not offered by the server's API" in line, line
    refused(through(url, tokens["li"], "inbox", "--as-of", "2026-01-01"), 2)
    assert local(db, "user", "list") == before


def test_refusals_come_back_as_the_clis_line_and_exit_code(
        served: tuple[str, str], tokens: dict[str, str]) -> None:
    url, _ = served
    ref = answer(through(url, tokens["chen"], "recruit", "apply", "--class", "tm1"))["id"]
    refused(through(url, tokens["chen"], "approve", ref), 3)  # not a signer of the step
    refused(through(url, tokens["zhang"], "show", "no-such-case"), 2)
    refused(through(url, "not-a-token", "inbox"), 3)  # 401: code 3
    assert "BZR_WORKFLOW_TOKEN" in refused(through(url, None, "inbox"), 2)


def test_a_server_that_does_not_answer_is_exit_4(tokens: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    line = refused(through(f"http://127.0.0.1:{port}", tokens["chen"], "inbox"), 4)
    assert "cannot reach the server" in line


def test_a_bulk_sign_off_of_the_inbox_goes_through_the_server(
        served: tuple[str, str], tokens: dict[str, str]) -> None:
    url, db = served
    local(db, "user", "add", "zhou", "--name", "周杰", actor="admin")
    ref = local(db, "recruit", "apply", "--class", "kj1", "--note", "本人申请", actor="zhou")["id"]
    dry = answer(through(url, tokens["zhang"], "approve", "--inbox", "--dry-run"))
    assert ref in dry["signed"] and dry["batch"] is None
    done = answer(through(url, tokens["zhang"], "approve", "--inbox", "--kind", "recruitment"))
    assert ref in done["signed"] and done["batch"].startswith("B-")
    assert [r["batch"] for r in local(db, "audit", "--case", ref)][-1] == done["batch"]
