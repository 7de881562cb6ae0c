"""History by day (issue 22 item 3): `results`, `awards` and `norms` answer as the office saw
them at `--as-of`, and past results brought in by `import results` are listed (marked imported,
with the file's digest) and counted like live ones."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from clirun import invoke, ok
from test_cli_appraisal import SITE, appointed


def last_at(db: str, ref: str) -> str:
    """The instant of a case's last decision, as `history` shows it (to the second)."""
    at = str(ok(db, "history", ref)[-1]["at"])
    time.sleep(1.1)  # the next decision falls in a later second
    return at


def test_results_as_of_an_earlier_instant_show_the_result_as_it_stood(sqlite_url: str) -> None:
    db = sqlite_url
    appointed(db)
    ref = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
             actor="li")[0]["id"]
    ok(db, "appraisal", "score", ref, *SITE, actor="zhang")
    ok(db, "approve", ref, actor="zhang")
    scored_by_site = last_at(db, ref)
    ok(db, "appraisal", "score", ref, "--item", "college_evaluation=13", actor="li")
    ok(db, "approve", ref, actor="li")
    ok(db, "approve", ref, actor="wang")

    [now] = ok(db, "results", "--period", "2026-2027-1")
    assert (now["grade"], now["total"], now["state"], now["imported"]) == (
        "优秀", "89", "published", False)
    [then] = ok(db, "results", "--period", "2026-2027-1", "--as-of", scored_by_site)
    assert (then["grade"], then["total"], then["state"], then["final"]) == (
        None, None, "open", False)
    assert then["step_label"] and then["step_label"] != now["step_label"]
    assert ok(db, "results", "--period", "2026-2027-1", "--counts", "--as-of",
              scored_by_site) == {"final": {}, "provisional": {"*": {"-": 1}, "nanning": {"-": 1}}}
    assert ok(db, "results", "--period", "2026-2027-1", "--as-of", "2000-01-01") == []
    ranked = ok(db, "results", "--period", "2026-2027-1", "--rank", "--as-of", scored_by_site)
    assert [r["grade"] for r in ranked["ranked"]] == [None]


def test_awards_as_of_before_the_nomination_list_none(sqlite_url: str) -> None:
    db = sqlite_url
    appointed(db)
    ref = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
             actor="li")[0]["id"]
    ok(db, "appraisal", "score", ref, *SITE, actor="zhang")
    ok(db, "approve", ref, actor="zhang")
    ok(db, "appraisal", "score", ref, "--item", "college_evaluation=14", actor="li")
    ok(db, "approve", ref, actor="li")
    ok(db, "approve", ref, actor="wang")
    before = last_at(db, ref)
    award = ok(db, "award", "nominate", "--advisor", "chen", "--period", "2026-2027-1",
               "--deeds", "带班认真负责", actor="zhang")["id"]
    nominated = last_at(db, award)
    for who in ("zhang", "li", "wang"):
        ok(db, "approve", award, actor=who)
    assert ok(db, "awards", "--period", "2026-2027-1", "--as-of", before) == []
    [then] = ok(db, "awards", "--period", "2026-2027-1", "--as-of", nominated)
    assert (then["case"], then["state"], then["certificate"]) == (award, "open", False)
    [now] = ok(db, "awards", "--period", "2026-2027-1")
    assert (now["state"], now["certificate"]) == ("published", True)


def test_an_imported_result_is_listed_marked_with_its_files_digest_and_counted(
        sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    appointed(db)
    path = tmp_path / "results.csv"
    path.write_text("班主任,学期,考核结果,总分\nliu,2025-2026-2,合格,75\n", encoding="utf-8")
    time.sleep(1.1)
    before = str(ok(db, "audit")[-1]["at"])
    time.sleep(1.1)
    ok(db, "import", "results", str(path), actor="admin")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    [row] = ok(db, "results", "--period", "2025-2026-2")
    assert {k: row[k] for k in ("advisor", "grade", "total", "state", "final", "imported",
                                "digest", "case")} == {
        "advisor": "liu", "grade": "合格", "total": "75", "state": "published", "final": True,
        "imported": True, "digest": digest, "case": f"import:{digest[:12]}"}
    assert ok(db, "results", "--period", "2025-2026-2", "--counts") == {
        "final": {"*": {"合格": 1}, "-": {"合格": 1}}, "provisional": {}}  # imported: final
    assert ok(db, "results", "--period", "2025-2026-2", "--as-of", before) == []
    text = invoke(db, "results", "--period", "2025-2026-2", as_json=False).stdout
    assert "liu" in text and "import:" in text


def test_norms_as_of_an_instant_read_the_log_as_it_stood(sqlite_url: str) -> None:
    db = sqlite_url
    ok(db, "init", "--policy", "jiyuan-vtc-2018", "--admin", "admin")
    ok(db, "unit", "add", "xx", "--name", "信息工程系", actor="admin")
    ok(db, "user", "add", "bzr", "--name", "班主任甲", "--role", "advisor@xx", actor="admin")
    ok(db, "log", "add", "--activity", "individual_talks", "--date", "2026-09-07",
       "--student", "学生", actor="bzr")
    time.sleep(1.1)
    first = str(ok(db, "audit")[-1]["at"])
    time.sleep(1.1)
    ok(db, "log", "add", "--activity", "individual_talks", "--date", "2026-09-09",
       "--student", "学生", actor="bzr")

    def week(report: dict) -> int:
        norm = next(n for n in report["norms"] if n["activity"] == "individual_talks")
        return int(next(w for w in norm["windows"] if w["from"] == "2026-09-07")["short"])

    now = ok(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1")
    then = ok(db, "norms", "--advisor", "bzr", "--period", "2026-2027-1", "--as-of", first)
    assert (now["entries"], week(now)) == (2, 0)
    assert (then["entries"], week(then)) == (1, 1)
