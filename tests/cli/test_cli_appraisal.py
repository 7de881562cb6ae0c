"""Appraisal from the command line: open, score, veto, sign, results; refusals and JSON shapes."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke, ok, organise

SITE = ["--item", "political=18", "--item", "guidance=14", "--item", "contact=13",
        "--item", "teaching_notices=12", "--item", "integrity=19"]


def appointed(db: str) -> None:
    organise(db)
    for candidate, klass, site in (("chen", "kj1", "zhang"), ("liu", "tm1", "huang")):
        ref = ok(db, "recruit", "apply", "--class", klass, "--start", "2026-09-01",
                 actor=candidate)["id"]
        for who in (site, "li", "wang"):
            ok(db, "approve", ref, actor=who)


def test_a_guilin_appraisal_from_opening_to_results(db_url: str) -> None:
    db = db_url
    appointed(db)
    opened = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--all", actor="li")
    assert sorted(c["subject"] for c in opened) == ["chen", "liu"]
    assert ok(db, "appraisal", "open", "--period", "2026-2027-1", "--all", actor="li") == []
    ref = next(c["id"] for c in opened if c["subject"] == "chen")
    ok(db, "appraisal", "score", ref, *SITE, actor="zhang")
    ok(db, "approve", ref, actor="zhang")
    ok(db, "appraisal", "score", ref, "--item", "college_evaluation=13", actor="li")
    ok(db, "approve", ref, actor="li")
    shown = ok(db, "approve", ref, actor="wang")
    assert (shown["total"], shown["grade"], shown["vetoed_items"]) == ("89", "优秀", [])
    results = ok(db, "results", "--period", "2026-2027-1")
    mine = next(r for r in results if r["advisor"] == "chen")
    assert {k: mine[k] for k in ("period", "total", "grade", "vetoed_items", "state")} == {
        "period": "2026-2027-1", "total": "89", "grade": "优秀", "vetoed_items": [],
        "state": "published"}
    counts = ok(db, "results", "--period", "2026-2027-1", "--counts")
    assert counts == {"final": {"*": {"优秀": 1}, "nanning": {"优秀": 1}},
                      "provisional": {"*": {"-": 1}, "liuzhou": {"-": 1}}}
    assert ok(db, "results", "--period", "2026-2027-1", "--counts", "--unit", "liuzhou") == {
        "final": {}, "provisional": {"*": {"-": 1}, "liuzhou": {"-": 1}}}
    assert ok(db, "results", "--period", "2030-2031-1", "--counts") == {"final": {},
                                                                        "provisional": {}}


def test_history_names_scoring_and_flagging(sqlite_url: str) -> None:
    db = sqlite_url
    appointed(db)
    ref = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
             actor="li")[0]["id"]
    ok(db, "appraisal", "score", ref, "--item", "political=18", actor="zhang")
    ok(db, "appraisal", "veto", ref, "--item", "ethics", "--reason", "查实", actor="zhang")
    actions = [h["action"] for h in ok(db, "history", ref)]
    assert actions == ["opened", "scored", "flagged"]
    assert ok(db, "show", ref)["grade"] == "不合格"


def test_the_self_summary_may_come_from_a_file(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    ok(db, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(db, "unit", "add", "cs", "--name", "计算机学院", actor="admin")
    for login, role in (("s0", "school@cs"), ("adv", "")):
        ok(db, "user", "add", login, "--name", login, *(["--role", role] if role else []),
           actor="admin")
    ok(db, "class", "add", "c1", "--name", "软件1班", "--unit", "cs", "--students", "40",
       actor="admin")
    ref = ok(db, "case", "open", "appraisal", "--subject", "adv", "--class", "c1",
             "--period", "2026", actor="s0")["id"]
    summary = tmp_path / "总结.txt"
    summary.write_text("本年度履行班主任职责情况……", "utf-8")
    shown = ok(db, "appraisal", "submit", ref, "--summary", f"@{summary}", actor="adv")
    assert shown["summary"] == "本年度履行班主任职责情况……"


def refused(db: str, code: int, *args: str, actor: str | None = None) -> str:
    result = invoke(db, *args, actor=actor)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert (result.exit_code, result.stdout, len(lines)) == (code, "", 1), result.stderr
    return lines[0]


def test_appraisal_refusals_have_their_exit_codes_and_write_nothing(sqlite_url: str) -> None:
    db = sqlite_url
    appointed(db)
    ref = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
             actor="li")[0]["id"]
    before = len(ok(db, "audit"))
    assert "0-20" in refused(db, 2, "appraisal", "score", ref, "--item", "political=21",
                             actor="zhang")
    refused(db, 2, "appraisal", "score", ref, "--item", "political", actor="zhang")
    # an indicator the policy does not have is bad input (2), not a step refusal (1)
    assert "unknown indicator 'charisma'" in refused(db, 2, "appraisal", "score", ref, "--item",
                                                     "charisma=10", actor="zhang")
    # one the policy has, scored at another step, stays a refusal of the step (1)
    assert "not scored here" in refused(db, 1, "appraisal", "score", ref, "--item",
                                        "college_evaluation=10", actor="zhang")
    refused(db, 3, "appraisal", "score", ref, "--item", "political=10", actor="huang")
    assert "score political" in refused(db, 1, "approve", ref, actor="zhang")
    refused(db, 2, "appraisal", "veto", ref, "--item", "ethics", actor="zhang")
    refused(db, 2, "appraisal", "open", "--period", "2026-2027-1", actor="li")
    refused(db, 2, "appraisal", "open", "--period", "2026", "--all", actor="li")
    refused(db, 3, "appraisal", "open", "--period", "2026-2027-2", "--advisor", "chen",
            actor="zhang")
    refused(db, 1, "appraisal", "object", ref, "--reason", "x", actor="chen")
    # not under announcement (公示), so not public: a stranger learns only that they may not
    # read it (issue 20 item 6)
    assert "may not read" in refused(db, 3, "appraisal", "object", ref, "--reason", "x",
                                     actor="liu")
    assert len(ok(db, "audit")) == before


def test_bulk_opening_writes_its_json_row_by_row_as_the_same_text(sqlite_url: str) -> None:
    """The opened cases are made as they are written; the text is what json.dumps of the
    whole list would have printed."""
    import json

    appointed(sqlite_url)
    out = invoke(sqlite_url, "appraisal", "open", "--period", "2026-2027-1", "--all", actor="li")
    assert out.exit_code == 0, out.stderr
    rows = json.loads(out.stdout)
    assert len(rows) == 2
    assert out.stdout == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
