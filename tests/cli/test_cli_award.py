"""Awards from the command line: profile, nomination, opinions, form export, listing, refusals."""

from __future__ import annotations

from pathlib import Path

from clirun import invoke, ok
from test_cli_appraisal import SITE, appointed


def excellent(db: str) -> None:
    appointed(db)
    ref = ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
             actor="li")[0]["id"]
    ok(db, "appraisal", "score", ref, *SITE, actor="zhang")
    ok(db, "approve", ref, actor="zhang")
    ok(db, "appraisal", "score", ref, "--item", "college_evaluation=14", actor="li")
    ok(db, "approve", ref, actor="li")
    ok(db, "approve", ref, actor="wang")


def test_an_award_from_nomination_to_the_exported_form(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    excellent(db)
    ok(db, "user", "update", "chen", "--gender", "男", "--birth", "1980-05", actor="admin")
    case = ok(db, "award", "nominate", "--advisor", "chen", "--period", "2026-2027-1",
              "--deeds", "带班认真负责", actor="zhang")
    assert (case["id"], case["step_label"]) == ("W-1", "校外教学点负责人意见")
    ok(db, "approve", "W-1", "--comment", "同意推荐", actor="zhang")
    ok(db, "approve", "W-1", "--comment", "同意", actor="li")
    ok(db, "approve", "W-1", "--comment", "予以表彰", actor="wang")
    listed = ok(db, "awards", "--period", "2026-2027-1")
    assert [(a["advisor"], a["state"], a["certificate"]) for a in listed] == [
        ("chen", "published", True)]
    for ending in ("docx", "xlsx"):
        out = tmp_path / f"form.{ending}"
        assert ok(db, "award", "form", "W-1", "--out", str(out))["format"] == ending
        assert out.stat().st_size > 0


def test_award_refusals_have_their_exit_codes(sqlite_url: str, tmp_path: Path) -> None:
    db = sqlite_url
    excellent(db)
    nope = invoke(db, "award", "nominate", "--advisor", "liu", "--period", "2026-2027-1",
                  actor="huang")
    assert nope.exit_code == 1 and "not eligible" in nope.stderr
    bad = invoke(db, "user", "update", "chen", "--birth", "May 1980", actor="admin")
    assert bad.exit_code == 2
    ok(db, "award", "nominate", "--advisor", "chen", "--period", "2026-2027-1", actor="zhang")
    again = invoke(db, "award", "nominate", "--advisor", "chen", "--period", "2026-2027-1",
                   actor="zhang")
    assert again.exit_code == 1 and "already nominated" in again.stderr
    odd = invoke(db, "award", "form", "W-1", "--out", str(tmp_path / "form.pdf"))
    assert odd.exit_code == 2 and not (tmp_path / "form.pdf").exists()
    wrong = invoke(db, "award", "form", "A-1", "--out", str(tmp_path / "a.docx"))
    assert wrong.exit_code == 2 and not (tmp_path / "a.docx").exists()
