"""桂林 第十四条 "坚持注重工作实绩、尊重学生评价、平时考核与学期考核相结合的原则开展班主任工作考核":
`show` of an appraisal carries the period's work log (平时考核) beside the scores."""

from __future__ import annotations

from clirun import invoke, ok
from test_cli_appraisal import SITE, appointed

SEED_14 = "坚持注重工作实绩、尊重学生评价、平时考核与学期考核相结合的原则开展班主任工作考核"


def test_an_appraisal_shows_the_everyday_record_beside_its_scores(sqlite_url: str) -> None:
    assert "平时考核与学期考核相结合" in SEED_14
    db = sqlite_url
    appointed(db)
    for day, activity, count in (("2026-09-10", "talk", "3"), ("2026-10-12", "class_meeting", "1"),
                                 ("2026-10-20", "talk", "2")):
        ok(db, "log", "add", "--activity", activity, "--date", day, "--count", count,
           actor="chen")
    ref = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
             actor="li")[0]["id"]
    ok(db, "appraisal", "score", ref, *SITE, actor="zhang")
    shown = ok(db, "show", ref)
    assert shown["scores"]["political"] == "18"
    assert shown["work_log"]["entries"] == 3
    assert [(a["label"], a["entries"], a["count"]) for a in shown["work_log"]["activities"]] == [
        ("班会", 1, 1), ("谈心谈话", 2, 5)]
    text = invoke(db, "show", ref, as_json=False).stdout
    assert "work log        3 entries: 班会 1, 谈心谈话 5" in text


def test_the_students_evaluation_is_an_input_of_the_sites_appraisal(sqlite_url: str) -> None:
    """第十四条 尊重学生评价: the site enters the students' evaluation (out of 100, chosen) with its
    scores; it is shown beside them and adds nothing to the 100 points of 附件."""
    assert "尊重学生评价" in SEED_14
    db = sqlite_url
    appointed(db)
    ref = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
             actor="li")[0]["id"]
    assert "0-100" in invoke(db, "appraisal", "score", ref, "--item", "student_evaluation=101",
                             actor="zhang").stderr
    ok(db, "appraisal", "score", ref, *SITE, "--item", "student_evaluation=92", actor="zhang")
    ok(db, "approve", ref, actor="zhang")
    refused = invoke(db, "appraisal", "score", ref, "--item", "student_evaluation=80", actor="li")
    assert refused.exit_code == 1 and "not scored here" in refused.stderr
    ok(db, "appraisal", "score", ref, "--item", "college_evaluation=13", actor="li")
    ok(db, "approve", ref, actor="li")
    done = ok(db, "approve", ref, actor="wang")
    assert (done["scores"]["student_evaluation"], done["total"], done["grade"]) == (
        "92", "89", "优秀")
    policy = ok(db, "policy", "show")["appraisal"]
    assert policy["student_evaluation"]["label"] == "学生评价"
