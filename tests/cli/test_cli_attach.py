"""`appraisal submit --attach FILE`: files attached to the self-summary from the command line, read
through infile's checks, checked by their content and stored once by SHA-256 beside the store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from clirun import invoke, ok, organise

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(40))


def appraisal(db: str) -> str:
    organise(db)
    ref = ok(db, "recruit", "apply", "--class", "kj1", "--start", "2026-09-01", actor="chen")["id"]
    for who in ("zhang", "li", "wang"):
        ok(db, "approve", ref, actor=who)
    return str(ok(db, "appraisal", "open", "--period", "2026-2027-1", "--advisor", "chen",
                  actor="li")[0]["id"])


def files(db: str) -> list[str]:
    root = Path(db + ".files")
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []


def test_the_advisor_attaches_files_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    ref = appraisal(db)
    (tmp_path / "总结.pdf").write_bytes(PDF)
    (tmp_path / "班会.jpg").write_bytes(JPEG)
    shown = ok(db, "appraisal", "submit", ref, "--summary", "书面总结",
               "--attach", str(tmp_path / "总结.pdf"), "--attach", str(tmp_path / "班会.jpg"),
               actor="chen")
    pdf = hashlib.sha256(PDF).hexdigest()
    assert shown["attachments"] == [
        {"digest": pdf, "name": "总结.pdf", "type": "application/pdf", "size": len(PDF)},
        {"digest": hashlib.sha256(JPEG).hexdigest(), "name": "班会.jpg", "type": "image/jpeg",
         "size": len(JPEG)}]
    assert f"{pdf[:2]}/{pdf[2:]}" in files(db) and len(files(db)) == 2
    assert ok(db, "show", ref, actor="zhang")["attachments"] == shown["attachments"]


def test_a_file_that_is_not_what_its_name_says_is_refused_and_nothing_is_stored(
        tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    ref = appraisal(db)
    fake = tmp_path / "总结.pdf"
    fake.write_bytes(b"MZ\x90\x00" + bytes(60))
    result = invoke(db, "appraisal", "submit", ref, "--summary", "总结", "--attach", str(fake),
                    actor="chen")
    assert result.exit_code == 2 and "总结.pdf" in result.stderr, result.stderr
    stranger = invoke(db, "appraisal", "submit", ref, "--summary", "总结",
                      "--attach", str(tmp_path / "missing.pdf"), actor="huang")
    assert stranger.exit_code == 3 and "may not read" in stranger.stderr, stranger.stderr
    folder = invoke(db, "appraisal", "submit", ref, "--summary", "总结", "--attach",
                    str(tmp_path), actor="chen")
    assert folder.exit_code == 2, folder.stderr
    assert files(db) == []
    assert ok(db, "show", ref, actor="chen")["summary"] is None


def test_on_postgresql_files_go_to_the_folder_named_and_without_one_the_upload_is_refused(
        pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = appraisal(pg_url)
    (tmp_path / "总结.pdf").write_bytes(PDF)
    monkeypatch.delenv("BZR_WORKFLOW_FILES", raising=False)
    refused = invoke(pg_url, "appraisal", "submit", ref, "--summary", "总结",
                     "--attach", str(tmp_path / "总结.pdf"), actor="chen")
    assert refused.exit_code == 2 and "BZR_WORKFLOW_FILES" in refused.stderr, refused.stderr
    assert len([line for line in refused.stderr.splitlines() if line.strip()]) == 1
    monkeypatch.setenv("BZR_WORKFLOW_FILES", str(tmp_path / "files"))
    shown = ok(pg_url, "appraisal", "submit", ref, "--summary", "总结",
               "--attach", str(tmp_path / "总结.pdf"), actor="chen")
    pdf = hashlib.sha256(PDF).hexdigest()
    assert [a["digest"] for a in shown["attachments"]] == [pdf]
    assert (tmp_path / "files" / pdf[:2] / pdf[2:]).read_bytes() == PDF
    assert ok(pg_url, "show", ref, actor="zhang")["attachments"] == shown["attachments"]
