"""Bulk sign-off from the command line (issue 23 item 1): `approve CASE...` and `approve --inbox`,
each case checked as if signed alone, never stopping at a refusal, one batch id on every decision
it made, the exit code the highest refusal's; a dry run that writes nothing; a grade quota that
takes only part of a batch places by rank."""

from __future__ import annotations

import json
import time
from pathlib import Path

from clirun import invoke, ok
from test_cli_places_by_rank import ADVISORS, at_approval, organised

from bzr_workflow.application import WorkflowApp, open_app, parse_location
from guilin_org import make_org

PERIOD = "2026-2027-1"
SITE = ["political=18", "guidance=14", "contact=13", "teaching_notices=12", "integrity=19"]


def appraisals(db: str, nanning: int, scored: int, tmp: Path) -> list[str]:
    """Guilin: `nanning` advisors of 南宁 (the first `scored` of them scored by its head 张建国)
    and one of 柳州 scored by 黄丽华, their semester's appraisals opened in one command; the
    advisors imported from one file, as an office does. The cases, 南宁's first."""
    app = make_org(open_app(parse_location(db), create=True))
    people = tmp / "advisors.csv"
    people.write_text("user,name,roles\n" + "".join(
        f"a{n:03d},顾{n:03d},\n" for n in range(nanning + 1)), "utf-8")
    app.imports.import_users(str(people), "admin")
    targets = [(f"a{n:03d}", "kj1", "nanning") for n in range(nanning)]
    opened = app.appraisals.open_appraisals(PERIOD, [*targets, (f"a{nanning:03d}", "tm1",
                                                                "liuzhou")], "li", True,
                                            early=True)
    refs = [c["id"] for c in opened]
    for ref in refs[:scored]:
        app.appraisals.score(ref, "zhang", SITE)
    app.appraisals.score(refs[-1], "huang", SITE)
    app.close()
    return refs


def store(db: str) -> WorkflowApp:
    return open_app(parse_location(db))


def head(db: str) -> int:
    app = store(db)
    try:
        return int(app.recorder.max_notification_id() or 0)
    finally:
        app.close()


def test_a_batch_of_200_sign_offs_with_3_refusals_signs_197_and_names_the_3(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    refs = appraisals(db, 199, 197, tmp_path)  # two of 南宁 unscored, one of 柳州
    started = time.monotonic()
    result = invoke(db, "approve", *refs, "--comment", "同意", actor="zhang")
    took = time.monotonic() - started
    done = json.loads(result.stdout)
    assert result.exit_code == 3  # the highest: 柳州's case is not his to read (3) > unscored (1)
    assert done["signed"] == refs[:197]
    assert [(r["case"], r["code"]) for r in done["refused"]] == [
        (refs[197], 1), (refs[198], 1), (refs[199], 3)]
    assert "score political" in done["refused"][0]["error"]
    assert done["batch"].startswith("B-") and len(done["batch"]) == 15
    assert took < 20, took
    app = store(db)
    try:
        for ref in refs[:197]:
            [signed] = [h for h in app.reads.history(ref) if h["action"] == "appraised"]
            assert (signed["actor"], signed["comment"], signed["batch"]) == (
                "zhang", "同意", done["batch"])
        assert all(h["batch"] is None for h in app.reads.history(refs[197]))
        assert app.reads.show(refs[0])["step"] == "college_evaluation"
        assert app.reads.show(refs[197])["step"] == "site_appraisal"
    finally:
        app.close()


def test_every_decision_of_a_batch_carries_its_id_in_the_audit_and_a_lone_one_none(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    refs = appraisals(db, 3, 3, tmp_path)
    done = ok(db, "approve", refs[0], refs[1], actor="zhang")
    ok(db, "approve", refs[2], actor="zhang")
    rows = [r for r in ok(db, "audit", "--actor", "zhang") if r["action"] == "appraised"]
    assert [(r["case"], r["batch"]) for r in rows] == [
        (refs[0], done["batch"]), (refs[1], done["batch"]), (refs[2], None)]
    assert rows[0]["via"] == "cli"


def test_a_lone_approve_answers_the_case_as_before(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    refs = appraisals(db, 1, 1, tmp_path)
    shown = ok(db, "approve", refs[0], actor="zhang")
    assert (shown["id"], shown["step"]) == (refs[0], "college_evaluation")
    assert "batch" not in shown and "signed" not in shown


def test_a_dry_run_says_what_would_be_signed_and_writes_nothing(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    refs = appraisals(db, 3, 2, tmp_path)
    before = head(db)
    dry = invoke(db, "approve", *refs, "--dry-run", actor="zhang")
    assert dry.exit_code == 3
    said = json.loads(dry.stdout)
    assert (said["batch"], said["dry_run"], said["signed"]) == (None, True, refs[:2])
    assert [(r["case"], r["code"]) for r in said["refused"]] == [(refs[2], 1), (refs[3], 3)]
    assert head(db) == before  # no event, no provenance
    assert ok(db, "show", refs[0])["step"] == "site_appraisal"
    real = json.loads(invoke(db, "approve", *refs, actor="zhang").stdout)
    assert real["signed"] == said["signed"]
    assert [r["case"] for r in real["refused"]] == [r["case"] for r in said["refused"]]


def test_the_inbox_is_signed_of_one_kind_at_one_step_and_plainly_listed(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    refs = appraisals(db, 3, 2, tmp_path)
    out = invoke(db, "approve", "--inbox", "--kind", "appraisal", "--step", "site_appraisal",
                 actor="zhang", as_json=False)
    assert out.exit_code == 1  # the unscored one; 柳州's is not in his inbox at all
    lines = out.stdout.splitlines()
    assert lines[0].startswith("batch B-") and lines[0].endswith(": 2 signed, 1 refused")
    assert lines[1:3] == [f"signed {refs[0]}", f"signed {refs[1]}"]
    assert lines[3].startswith(f"refused {refs[2]} (exit 1): {refs[2]}: score political")
    again = ok(db, "approve", "--inbox", "--kind", "recruitment", actor="zhang")
    assert again == {"batch": None, "dry_run": False, "signed": [], "refused": []}


def test_the_highest_code_is_the_exit_code_and_a_step_pins_each_case(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    refs = appraisals(db, 2, 2, tmp_path)
    result = invoke(db, "approve", refs[0], "A-999", actor="zhang")
    done = json.loads(result.stdout)
    assert result.exit_code == 2 and done["signed"] == [refs[0]]
    assert done["refused"][0]["case"] == "A-999" and "unknown case" in done["refused"][0]["error"]
    pinned = invoke(db, "approve", refs[0], refs[1], "--step", "site_appraisal", actor="zhang")
    assert pinned.exit_code == 1  # refs[0] moved on: pinned to the head's step, it is refused
    assert json.loads(pinned.stdout)["signed"] == [refs[1]]


def test_bad_batch_input_is_refused_whole_and_writes_nothing(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    refs = appraisals(db, 1, 1, tmp_path)
    before = head(db)
    for args, says in ((["--inbox", refs[0]], "not both"), (["--kind", "appraisal", refs[0]],
                                                            "--inbox"),
                       (["--inbox", "--kind", "nonesuch"], "unknown kind"),
                       (["--inbox", "--step", "nonesuch"], "unknown step"), ([], "CASE")):
        refused = invoke(db, "approve", *args, actor="zhang")
        assert refused.exit_code == 2 and says in refused.stderr, (args, refused.stderr)
    assert head(db) == before


def test_a_grade_quota_takes_a_batch_by_rank_not_by_list_order(sqlite_url: str) -> None:
    """Suzhou 第十条 二、2 (15 % of 20: 3 places): 97, 96 and two 95 at 审定, listed 95 (opened
    later), 95, 97, 96. Signed alone in that order the later 95 would take the last place; the
    batch signs best first (equal totals in the order opened): the earlier 95 takes it."""
    db = sqlite_url
    refs = organised(db)
    for advisor, total in zip(ADVISORS, (97, 96, 95, 95)):
        at_approval(db, refs[advisor], advisor, total)
    first, second, top, runner = (refs[ADVISORS[n]] for n in (3, 2, 0, 1))
    done = ok(db, "approve", first, second, top, runner, actor="o1")
    assert done["signed"] == [top, runner, second, first]
    grades = {ref: ok(db, "show", ref)["grade"] for ref in (top, runner, second, first)}
    assert grades == {top: "优秀", runner: "优秀", second: "优秀", first: "合格"}
    [lost] = [h for h in ok(db, "history", first) if h["action"] == "regraded"]
    assert lost["batch"] == done["batch"]


def test_a_dry_run_of_a_quota_batch_goes_by_rank_and_writes_nothing(sqlite_url: str) -> None:
    """The same four in a dry run: checked best first, as the batch would sign them, and
    nothing is written."""
    db = sqlite_url
    refs = organised(db)
    for advisor, total in zip(ADVISORS, (97, 96, 95, 95)):
        at_approval(db, refs[advisor], advisor, total)
    chosen = [refs[ADVISORS[n]] for n in (3, 2, 0, 1)]
    before = head(db)
    dry = ok(db, "approve", *chosen, "--dry-run", actor="o1")
    assert dry["signed"] == [chosen[2], chosen[3], chosen[1], chosen[0]] and dry["refused"] == []
    assert head(db) == before
