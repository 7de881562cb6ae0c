"""The command line's refusals in the operator's language: Chinese when LC_ALL, LC_MESSAGES or
LANG is zh_*, English otherwise; one line on stderr and the same exit code either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import bzr_workflow
from bzr_workflow.cli import cli
from clirun import CLEAN_ENV, ok, organise

SCRIPT = Path(sys.prefix) / "bin" / "bzr-workflow"


def in_locale(db: str, locale: dict[str, str], *args: str, actor: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, "--as", actor, *args],
                              env={**CLEAN_ENV, **locale})


def error_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.stdout == "" and len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    return lines[0]


@pytest.fixture
def vetoed(sqlite_url: str) -> tuple[str, str]:
    """R-1: 陈晓明's application, vetoed by the Nanning site head."""
    organise(sqlite_url)
    ref = str(ok(sqlite_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"])
    ok(sqlite_url, "veto", ref, "--reason", "名额已满", actor="zhang")
    return sqlite_url, ref


def test_a_closed_case_is_refused_in_chinese_under_a_chinese_locale(
        vetoed: tuple[str, str]) -> None:
    db, ref = vetoed
    result = in_locale(db, {"LANG": "zh_CN.UTF-8"}, "approve", ref, actor="wang")
    assert result.exit_code == 1
    assert error_line(result) == f"error: {ref} 已否决（zhang 否决），没有待办理的环节"


def test_the_same_refusal_is_english_under_a_c_locale(vetoed: tuple[str, str]) -> None:
    db, ref = vetoed
    result = in_locale(db, {"LANG": "C.UTF-8"}, "approve", ref, actor="wang")
    assert result.exit_code == 1
    assert error_line(result) == f"error: {ref} is vetoed (vetoed by zhang); nothing is pending"


def test_lc_all_wins_over_lang_and_every_exit_code_stays(vetoed: tuple[str, str]) -> None:
    db, ref = vetoed
    zh = {"LANG": "C.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
    assert (in_locale(db, zh, "show", "R-99", actor="wang").exit_code,
            in_locale(db, zh, "approve", ref, actor="nobody").exit_code) == (2, 2)
    assert "未知用户 'nobody'" in error_line(in_locale(db, zh, "approve", ref, actor="nobody"))
    assert "未知事项 R-99" in error_line(in_locale(db, zh, "show", "R-99", actor="wang"))


def test_a_stranger_is_refused_the_case_in_chinese_before_anything_about_it(
        sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = str(ok(sqlite_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"])
    result = in_locale(sqlite_url, {"LANG": "zh_CN.UTF-8"}, "approve", ref, actor="liu")
    assert result.exit_code == 3
    assert error_line(result) == (f"error: liu 无权查看 {ref}：该事项仅供其对象、发起人、所在单位或"
                                  "上级单位中该流程的角色、管理员和审计人员查看")


def test_the_installed_script_speaks_chinese_in_a_real_process(
        vetoed: tuple[str, str], tmp_path: Path) -> None:
    db, ref = vetoed
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("BZR_WORKFLOW_", "LC_", "LANG"))}
    env |= {"LANG": "zh_CN.UTF-8", "PYTHONPATH": str(Path(bzr_workflow.__file__).parents[1])}
    done = subprocess.run([str(SCRIPT), "--db", db, "--as", "wang", "approve", ref], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"error: {ref} 已否决（zhang 否决），没有待办理的环节"]


def test_the_line_after_a_sign_off_speaks_the_locales_language(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = str(ok(sqlite_url, "recruit", "apply", "--class", "kj1", actor="chen")["id"])
    zh = in_locale(sqlite_url, {"LANG": "zh_CN.UTF-8"}, "approve", ref, actor="zhang")
    assert zh.exit_code == 0, zh.stderr
    assert zh.stdout.strip() == (f"{ref}  recruitment  chen  办理中：待「继续教育学院审批」"
                                 "（college_approval），由 ce_college 办理")
    en = in_locale(sqlite_url, {"LANG": "C.UTF-8"}, "veto", ref, "--reason", "x", actor="li")
    assert en.stdout.strip() == f"{ref}  recruitment  chen  vetoed (vetoed by li)"
