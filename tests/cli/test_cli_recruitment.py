"""A Guilin recruitment driven from the command line: the end-to-end path, the JSON shapes CLI.md
promises, veto / return / withdraw, and answers as of a past instant."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any


from clirun import POLICY, invoke, ok, organise

CASE_KEYS = {"id", "kind", "state", "step", "step_label", "role", "subject", "period", "class"}
HISTORY_KEYS = {"at", "actor", "action", "step", "comment"}


def refused(db: str, code: int, *args: str, actor: str | None = None) -> str:
    result = invoke(db, *args, actor=actor)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def apply(db: str, candidate: str = "chen", klass: str = "kj1", *extra: str) -> str:
    case = ok(db, "recruit", "apply", "--class", klass, *extra, actor=candidate)
    return str(case["id"])


def sign_all(db: str, ref: str) -> dict[str, Any]:
    ok(db, "approve", ref, "--comment", "同意推荐", actor="zhang")
    ok(db, "approve", ref, "--comment", "同意聘任", actor="li")
    return ok(db, "approve", ref, "--comment", "已公布", actor="wang")  # type: ignore[no-any-return]


def now() -> str:
    """An instant strictly after everything so far and strictly before what comes next."""
    time.sleep(0.02)
    instant = datetime.now(UTC).isoformat()
    time.sleep(0.02)
    return instant


# -- end to end ---------------------------------------------------------------------------


def test_guilin_recruitment_runs_end_to_end_from_the_command_line(db_url: str) -> None:
    organise(db_url)
    case = ok(db_url, "recruit", "apply", "--class", "kj1", "--start", "2026-09-01",
              "--note", "十年会计工作经验", actor="chen")
    assert (case["kind"], case["state"], case["subject"], case["class"]) == \
        ("recruitment", "open", "chen", "kj1")
    assert (case["step"], case["role"]) == ("site_review", "site_head")

    ref = case["id"]
    recommended = ok(db_url, "approve", ref, "--comment", "同意推荐", actor="zhang")
    assert (recommended["step"], recommended["role"]) == ("college_approval", "ce_college")
    approved = ok(db_url, "approve", ref, actor="li")
    assert (approved["step"], approved["role"]) == ("announce", "ce_college")
    published = ok(db_url, "approve", ref, actor="wang")
    assert (published["state"], published["step"]) == ("published", None)

    appointments = ok(db_url, "appointments")
    assert [(a["advisor"], a["class"], a["state"], a["start"]) for a in appointments] == \
        [("chen", "kj1", "active", "2026-09-01")]
    assert [h["action"] for h in ok(db_url, "history", ref)] == \
        ["applied", "recommended", "approved", "published"]


def test_head_of_a_parent_unit_may_recommend_for_a_site_under_it(sqlite_url: str) -> None:
    organise(sqlite_url)
    ok(sqlite_url, "user", "add", "boss", "--name", "院长", "--role", "site_head@ce", actor="admin")
    ref = apply(sqlite_url)
    assert ok(sqlite_url, "approve", ref, actor="boss")["step"] == "college_approval"


# -- JSON shapes --------------------------------------------------------------------------


def test_recruit_apply_and_show_print_a_case_with_every_documented_key(sqlite_url: str) -> None:
    organise(sqlite_url)
    applied = ok(sqlite_url, "recruit", "apply", "--class", "kj1", actor="chen")
    assert CASE_KEYS <= set(applied)
    assert applied["step_label"] == "推荐单位审核"
    assert applied["period"] is None
    shown = ok(sqlite_url, "show", applied["id"].lower().replace("-", ""))  # r1 names R-1
    assert CASE_KEYS <= set(shown)
    assert {k: shown[k] for k in CASE_KEYS} == {k: applied[k] for k in CASE_KEYS}


def test_history_lists_each_decision_oldest_first(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = apply(sqlite_url)
    sign_all(sqlite_url, ref)
    entries = ok(sqlite_url, "history", ref)
    assert isinstance(entries, list) and all(HISTORY_KEYS <= set(e) for e in entries)
    assert [(e["actor"], e["action"], e["step"]) for e in entries] == [
        ("chen", "applied", "apply"), ("zhang", "recommended", "site_review"),
        ("li", "approved", "college_approval"), ("wang", "published", "announce")]
    assert [e["comment"] for e in entries[1:]] == ["同意推荐", "同意聘任", "已公布"]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)


def test_audit_entries_name_their_case(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = apply(sqlite_url)
    ok(sqlite_url, "approve", ref, actor="zhang")
    entries = ok(sqlite_url, "audit")
    assert all(HISTORY_KEYS | {"case"} <= set(e) for e in entries)
    on_case = [(e["actor"], e["action"]) for e in entries if e["case"] == ref]
    assert on_case == [("chen", "applied"), ("zhang", "recommended")]
    assert [(e["actor"], e["action"]) for e in ok(sqlite_url, "audit", "--case", ref)] == on_case
    assert {e["actor"] for e in ok(sqlite_url, "audit", "--actor", "zhang")} == {"zhang"}


def test_policy_show_json_has_the_documented_shape(sqlite_url: str) -> None:
    organise(sqlite_url)
    for shown in (ok(sqlite_url, "policy", "show"), ok(sqlite_url, "policy", "show", POLICY)):
        assert shown["id"] == POLICY and shown["name"]
        steps = shown["workflows"]["recruitment"]["steps"]
        assert [(s["id"], s["role"], s["action"]) for s in steps] == [
            ("site_review", "site_head", "recommended"),
            ("college_approval", "ce_college", "approved"),
            ("announce", "ce_college", "published")]
        assert [s["label"] for s in steps] == ["推荐单位审核", "继续教育学院审批", "向学生所在班级公布"]
        appraisal = shown["appraisal"]
        assert appraisal["scoring"] == "points"
        assert all({"key", "label", "max"} <= set(i) for i in appraisal["indicators"])
        assert sum(i["max"] for i in appraisal["indicators"]) == 100
        assert {v["key"] for v in appraisal["veto_items"]} == {"ethics", "duties", "negligence",
                                                               "other"}
        assert [(g["label"], g["min"]) for g in appraisal["grades"]] == \
            [("不合格", 0), ("合格", 60), ("良好", 70), ("优秀", 80)]


def test_inbox_lists_only_cases_the_user_may_sign(sqlite_url: str) -> None:
    organise(sqlite_url)
    nanning, liuzhou = apply(sqlite_url, "chen", "kj1"), apply(sqlite_url, "liu", "tm1")
    zhang_inbox = ok(sqlite_url, "inbox", actor="zhang")
    assert [c["id"] for c in zhang_inbox] == [nanning]
    assert all(CASE_KEYS <= set(c) for c in zhang_inbox)
    assert [c["id"] for c in ok(sqlite_url, "inbox", actor="huang")] == [liuzhou]
    assert ok(sqlite_url, "inbox", actor="li") == []
    ok(sqlite_url, "approve", nanning, actor="zhang")
    assert [c["id"] for c in ok(sqlite_url, "inbox", actor="li")] == [nanning]
    assert ok(sqlite_url, "inbox", actor="zhang") == []


def test_cases_filters_by_state(sqlite_url: str) -> None:
    organise(sqlite_url)
    published, still_open = apply(sqlite_url, "chen", "kj1"), apply(sqlite_url, "liu", "tm1")
    sign_all(sqlite_url, published)
    every = ok(sqlite_url, "cases")
    assert all(CASE_KEYS <= set(c) for c in every)
    assert {c["id"]: c["state"] for c in every} == {published: "published", still_open: "open"}
    assert [c["id"] for c in ok(sqlite_url, "cases", "--state", "open")] == [still_open]
    assert [c["id"] for c in ok(sqlite_url, "cases", "--state", "published")] == [published]
    assert ok(sqlite_url, "cases", "--state", "vetoed") == []


def test_limit_gives_the_first_rows_of_cases_and_audit(sqlite_url: str) -> None:
    organise(sqlite_url)
    refs = [apply(sqlite_url, who, klass) for who, klass in (("chen", "kj1"), ("liu", "tm1"),
                                                             ("liu", "kj2"))]
    assert [c["id"] for c in ok(sqlite_url, "cases", "--limit", "2")] == refs[:2]
    assert [c["id"] for c in ok(sqlite_url, "cases", "--state", "open", "--limit", "9")] == refs
    everything = ok(sqlite_url, "audit")
    assert ok(sqlite_url, "audit", "--limit", "3") == everything[:3]
    assert ok(sqlite_url, "audit", "--actor", "liu", "--limit", "1") == \
        [e for e in everything if e["actor"] == "liu"][:1]
    refused = invoke(sqlite_url, "cases", "--limit", "0")
    assert refused.exit_code == 2 and "--limit" in refused.stderr


# -- veto, return, withdraw ---------------------------------------------------------------


def test_veto_ends_the_case(db_url: str) -> None:
    organise(db_url)
    ref = apply(db_url)
    vetoed = ok(db_url, "veto", ref, "--reason", "缺少工作证明", actor="zhang")
    assert (vetoed["state"], vetoed["step"], vetoed["role"]) == ("vetoed", None, None)
    last = ok(db_url, "history", ref)[-1]
    assert (last["actor"], last["action"], last["comment"]) == ("zhang", "vetoed", "缺少工作证明")
    assert ok(db_url, "appointments") == []
    assert ok(db_url, "inbox", actor="zhang") == []


def test_returned_case_is_resubmitted_by_the_applicant_and_then_published(db_url: str) -> None:
    organise(db_url)
    ref = apply(db_url, "chen", "kj1", "--start", "2027-03-01")
    returned = ok(db_url, "return", ref, "--reason", "请补充学生管理工作经历", actor="zhang")
    assert (returned["state"], returned["step"], returned["role"]) == ("open", "apply", "applicant")
    assert [c["id"] for c in ok(db_url, "inbox", actor="chen")] == [ref]
    assert ok(db_url, "inbox", actor="zhang") == []

    again = ok(db_url, "approve", ref, "--comment", "已补充", actor="chen")
    assert (again["step"], again["role"]) == ("site_review", "site_head")
    assert sign_all(db_url, ref)["state"] == "published"
    actions = [e["action"] for e in ok(db_url, "history", ref)]
    assert actions[:2] == ["applied", "returned"] and actions[-3:] == \
        ["recommended", "approved", "published"]
    assert [(a["advisor"], a["start"]) for a in ok(db_url, "appointments")] == \
        [("chen", "2027-03-01")]


def test_applicant_may_withdraw_before_the_final_step(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = apply(sqlite_url)
    ok(sqlite_url, "approve", ref, actor="zhang")
    withdrawn = ok(sqlite_url, "withdraw", ref, "--reason", "工作调动", actor="chen")
    assert (withdrawn["state"], withdrawn["step"]) == ("withdrawn", None)
    assert [c["id"] for c in ok(sqlite_url, "cases", "--state", "withdrawn")] == [ref]
    assert ok(sqlite_url, "inbox", actor="li") == []


def test_withdrawing_at_the_announcement_step_is_refused(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = apply(sqlite_url)
    ok(sqlite_url, "approve", ref, actor="zhang")
    ok(sqlite_url, "approve", ref, actor="li")
    before = len(ok(sqlite_url, "audit"))
    refused(sqlite_url, 1, "withdraw", ref, actor="chen")
    assert len(ok(sqlite_url, "audit")) == before
    shown = ok(sqlite_url, "show", ref)
    assert (shown["state"], shown["step"]) == ("open", "announce")


# -- as of a past instant -----------------------------------------------------------------


def test_show_as_of_an_instant_between_two_decisions_shows_the_older_step(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = apply(sqlite_url)
    ok(sqlite_url, "approve", ref, actor="zhang")
    between = now()
    ok(sqlite_url, "approve", ref, actor="li")
    assert ok(sqlite_url, "show", ref)["step"] == "announce"
    then = ok(sqlite_url, "show", ref, "--as-of", between)
    assert (then["state"], then["step"]) == ("open", "college_approval")
    assert [e["action"] for e in ok(sqlite_url, "history", ref, "--as-of", between)] == \
        ["applied", "recommended"]


def test_cases_and_inbox_answer_as_of_a_past_instant(sqlite_url: str) -> None:
    organise(sqlite_url)
    ref = apply(sqlite_url)
    before_review = now()
    ok(sqlite_url, "approve", ref, actor="zhang")
    before_publication = now()
    ok(sqlite_url, "approve", ref, actor="li")
    ok(sqlite_url, "approve", ref, actor="wang")

    assert ok(sqlite_url, "cases", "--state", "open") == []
    then = ok(sqlite_url, "cases", "--as-of", before_review)
    assert [(c["id"], c["state"], c["step"]) for c in then] == [(ref, "open", "site_review")]
    assert [c["id"] for c in ok(sqlite_url, "inbox", "--as-of", before_review,
                                actor="zhang")] == [ref]
    assert ok(sqlite_url, "inbox", actor="zhang") == []
    assert [c["id"] for c in ok(sqlite_url, "inbox", "--as-of", before_publication,
                                actor="li")] == [ref]
    assert ok(sqlite_url, "appointments", "--as-of", before_publication) == []
