"""Suzhou's 优秀 places go by rank, not by the order the office signs: a 优秀 beyond the places is
published as 合格 with its total kept and the reason recorded; equal totals go by the office's
order, and the history says so; `appraisal decide --period` signs a whole period best first.

001 第十条 二、2: "按学年对班主任进行考核，考核分为不合格、合格、优秀，优秀班主任每学年给予奖励，
优秀班主任的比例为15%。奖励标准1500元，发放荣誉证书。" 第八条 (4) 报继续教育处审定并公示备案.
"""

from __future__ import annotations

import json

from clirun import invoke, ok

PERIOD = "2026-2027"
ADVISORS = [f"a{n:02d}" for n in range(20)]  # 15 % of 20 = 3 places
KEYS = ["political_morality", "ideological_work", "daily_management", "study_culture",
        "attendance"]


def organised(db: str) -> dict[str, str]:
    """Twenty advisors of one school, their year's appraisals open: advisor → case."""
    ok(db, "init", "--policy", "suzhou-gaobo-2023", "--admin", "admin")
    ok(db, "unit", "add", "cs", "--name", "计算机学院", actor="admin")
    for login, role in (("open1", "school@cs"), ("s1", "school@cs"), ("s2", "school@cs"),
                        ("o1", "ce_office"), ("o2", "ce_office")):
        ok(db, "user", "add", login, "--name", login, "--role", role, actor="admin")
    ok(db, "class", "add", "c1", "--name", "软件1班", "--unit", "cs", "--students", "45",
       actor="admin")
    refs = {}
    for login in ADVISORS:
        ok(db, "user", "add", login, "--name", f"顾{login}", actor="admin")
        refs[login] = ok(db, "case", "open", "appraisal", "--subject", login, "--class", "c1",
                         "--period", PERIOD, actor="open1")["id"]
    return refs


def at_approval(db: str, ref: str, advisor: str, total: int) -> None:
    """Scored `total` by the school, its opinion signed: waiting at the office's 审定."""
    ok(db, "appraisal", "submit", ref, "--summary", "书面总结", actor=advisor)
    ok(db, "appraisal", "score", ref,
       *[arg for key in KEYS for arg in ("--item", f"{key}={total}")], actor="s1")
    ok(db, "approve", ref, actor="s1")
    ok(db, "approve", ref, actor="s2")


def published(db: str, refs: list[str]) -> dict[str, tuple[str, str]]:
    """公示备案 by a second officer; case → (grade, total) as `results` lists them."""
    for ref in refs:
        assert ok(db, "approve", ref, actor="o2")["state"] == "published"
    return {r["case"]: (r["grade"], r["total"])
            for r in ok(db, "results", "--period", PERIOD) if r["case"] in refs}


def four_excellent(db: str) -> dict[int, str]:
    """Four 优秀 at 审定 (93, 97, 92, 96) and sixteen 合格 elsewhere in the roster: total → case."""
    refs = organised(db)
    by_total = {}
    for advisor, total in zip(ADVISORS, (93, 97, 92, 96)):
        at_approval(db, refs[advisor], advisor, total)
        by_total[total] = refs[advisor]
    return by_total


def test_four_excellent_signed_93_97_92_96_publish_by_rank(sqlite_url: str) -> None:
    """优秀班主任的比例为15%: 3 places of 20. The office signs 93 first while 97 and 96 wait:
    only two rank above it, so it takes a place; 97 takes one; 92 has 93 and 97 placed and 96
    waiting above it, so it is 第 4 名 and goes on as 合格 with its 92; 96 takes the last place.
    Published: 97, 96, 93 优秀, 92 合格 with its 92 — by rank, not by signing order."""
    db = sqlite_url
    case = four_excellent(db)
    order = [case[93], case[97], case[92], case[96]]
    shown = [ok(db, "approve", ref, actor="o1") for ref in order]
    assert [s["grade"] for s in shown] == ["优秀", "优秀", "合格", "优秀"]
    assert all(s["step"] == "announce" for s in shown)  # nothing refused, nothing re-scored
    results = published(db, order)
    assert results == {case[97]: ("优秀", "97"), case[96]: ("优秀", "96"),
                       case[93]: ("优秀", "93"), case[92]: ("合格", "92")}
    [entry] = [h for h in ok(db, "history", case[92]) if h["action"] == "regraded"]
    assert (entry["actor"], entry["step"], entry["comment"]) == (
        "o1", "ce_approval", "优秀名额已满：第 4 名，名额 3 个")
    assert [h["action"] for h in ok(db, "history", case[93])].count("placed") == 1
    places = ok(db, "results", "--period", PERIOD, "--rank")["grade_quota"]
    assert sorted(places["taken"]) == sorted([case[97], case[96], case[93]])


def test_a_lower_excellent_signed_first_waits_for_none_and_cannot_beat_rank(
        sqlite_url: str) -> None:
    """第十条 二、2: signing 92 first, while 97, 96 and 93 wait at 审定, gives it no place (three
    rank above it); the three then take the three places."""
    db = sqlite_url
    case = four_excellent(db)
    first = ok(db, "approve", case[92], actor="o1")
    assert (first["grade"], first["total"]) == ("合格", "92")
    assert [ok(db, "approve", case[t], actor="o1")["grade"] for t in (93, 96, 97)] == [
        "优秀"] * 3


def test_equal_totals_at_the_boundary_go_by_the_offices_order_and_the_history_says_so(
        sqlite_url: str) -> None:
    """第十条 二、2 with 97, 96 and two 95 for 3 places: the 95 the office signs first takes the
    last place, the other is 第 4 名 and 合格 with its 95; both histories name the tie."""
    db = sqlite_url
    refs = organised(db)
    for advisor, total in zip(ADVISORS, (97, 96, 95, 95)):
        at_approval(db, refs[advisor], advisor, total)
    early, late = refs[ADVISORS[3]], refs[ADVISORS[2]]  # the office signs a03 before a02
    assert ok(db, "approve", early, actor="o1")["grade"] == "优秀"
    assert ok(db, "approve", refs[ADVISORS[0]], actor="o1")["grade"] == "优秀"
    assert ok(db, "approve", late, actor="o1")["grade"] == "合格"
    assert ok(db, "approve", refs[ADVISORS[1]], actor="o1")["grade"] == "优秀"
    [won] = [h for h in ok(db, "history", early) if h["action"] == "placed"]
    assert won["comment"] == (f"优秀名额：第 3 名，名额 3 个；与 {late} 同分（95），"
                              "按报继续教育处审定的先后先得名额")
    [lost] = [h for h in ok(db, "history", late) if h["action"] == "regraded"]
    assert lost["comment"] == (f"优秀名额已满：第 4 名，名额 3 个；与 {early} 同分（95），"
                               "按报继续教育处审定的先后在后")
    assert published(db, [early, late]) == {early: ("优秀", "95"), late: ("合格", "95")}


def test_the_office_decides_a_whole_period_best_first(sqlite_url: str) -> None:
    """第八条 (4) 报继续教育处审定: `appraisal decide --period` signs every result waiting at 审定
    in rank order (97, 96, 93, 92), whatever order they arrived in; 合格 results are signed too;
    the school's officers may not."""
    db = sqlite_url
    case = four_excellent(db)
    at_approval(db, ok(db, "cases", "--kind", "appraisal")[4]["id"], ADVISORS[4], 75)
    refused = invoke(db, "appraisal", "decide", "--period", PERIOD, actor="s1")
    assert refused.exit_code == 1  # the school signed its opinion: 审定 is not its step
    assert [r["code"] for r in ok_refused(refused.stdout)] == [1] * 5
    done = ok(db, "appraisal", "decide", "--period", PERIOD, actor="o1")
    assert [(r["total"], r["grade"]) for r in done["results"]] == [
        ("97", "优秀"), ("96", "优秀"), ("93", "优秀"), ("92", "合格"), ("75", "合格")]
    assert done["refused"] == [] and done["step"] == "ce_approval"
    assert published(db, [case[t] for t in (97, 96, 93, 92)]) == {
        case[97]: ("优秀", "97"), case[96]: ("优秀", "96"), case[93]: ("优秀", "93"),
        case[92]: ("合格", "92")}


def ok_refused(stdout: str) -> list[dict[str, object]]:
    return list(json.loads(stdout)["refused"])


def test_a_policy_with_no_grade_quota_has_no_period_decision(sqlite_url: str) -> None:
    """Only a policy whose regulation caps a grade (Suzhou 第十条 二、2) decides by rank."""
    db = sqlite_url
    ok(db, "init", "--policy", "aksu-vtc-2020", "--admin", "admin")
    refused = invoke(db, "appraisal", "decide", "--period", "2026-2027-1", actor="admin")
    assert refused.exit_code == 2 and "grade_quota" in refused.stderr
