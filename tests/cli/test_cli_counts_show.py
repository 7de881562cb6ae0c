"""`results --counts` counts final results only, the provisional apart; `show` in table form prints an appraisal's total, grade, scores and explanation."""

from __future__ import annotations

from clirun import invoke, ok
from test_cli_appraisal import SITE, appointed


def scored(db: str) -> str:
    appointed(db)
    opened = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--all", actor="li")
    ref = str(next(c["id"] for c in opened if c["subject"] == "chen"))
    ok(db, "appraisal", "score", ref, *SITE, actor="zhang")
    return ref


def test_counts_keep_the_provisional_results_apart_from_the_final(sqlite_url: str) -> None:
    db = sqlite_url
    ref = scored(db)
    counts = ok(db, "results", "--period", "2026-2027-1", "--counts")
    assert counts["final"] == {}
    assert counts["provisional"] == {"*": {"-": 2}, "nanning": {"-": 1}, "liuzhou": {"-": 1}}
    ok(db, "approve", ref, actor="zhang")
    ok(db, "appraisal", "score", ref, "--item", "college_evaluation=13", actor="li")
    ok(db, "approve", ref, actor="li")
    ok(db, "approve", ref, actor="wang")
    counts = ok(db, "results", "--period", "2026-2027-1", "--counts")
    assert counts == {"final": {"*": {"优秀": 1}, "nanning": {"优秀": 1}},
                      "provisional": {"*": {"-": 1}, "liuzhou": {"-": 1}}}
    text = invoke(db, "results", "--period", "2026-2027-1", "--counts", as_json=False).stdout
    final, provisional = text.split("provisional (not final yet):")
    assert "优秀" in final and "liuzhou" not in final and "liuzhou" in provisional


def test_show_as_a_table_prints_total_grade_scores_and_explanation(sqlite_url: str) -> None:
    db = sqlite_url
    ref = scored(db)
    text = invoke(db, "show", ref, as_json=False).stdout
    assert "score           political = 18" in text and "integrity = 19" in text
    assert "explanation     awaiting scores for: college_evaluation" in text
    assert "final           no (provisional)" in text
    ok(db, "approve", ref, actor="zhang")
    ok(db, "appraisal", "score", ref, "--item", "college_evaluation=13", actor="li")
    text = invoke(db, "show", ref, as_json=False).stdout
    assert "total           89" in text and "grade           优秀" in text, text
