"""The attachments folder (adapters/files.py): where it is, what a name may be, what content
passes for its type, and that a refused or abandoned upload leaves nothing behind."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from bzr_workflow.adapters.files import FileStore, clean_name, files_root
from bzr_workflow.adapters.store import Location
from bzr_workflow.domain.errors import BadInput, NotFound, TooLarge

PDF = b"%PDF-1.7\n%%EOF\n"


def test_an_sqlite_store_keeps_its_files_beside_it_and_postgresql_needs_a_folder_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert files_root(Location("sqlite", path=str(tmp_path / "a.db"))) == \
        str(tmp_path / "a.db") + ".files"
    monkeypatch.delenv("BZR_WORKFLOW_FILES", raising=False)
    pg = Location("postgresql", dbname="bzr")
    assert files_root(pg) is None
    with pytest.raises(BadInput, match="BZR_WORKFLOW_FILES") as refused:
        FileStore(files_root(pg)).batch().add_bytes("a.pdf", PDF)
    assert "\n" not in str(refused.value)
    monkeypatch.setenv("BZR_WORKFLOW_FILES", str(tmp_path / "pgfiles"))
    assert files_root(pg) == str(tmp_path / "pgfiles")


def test_a_name_loses_its_folders_and_control_characters() -> None:
    assert clean_name("C:\\Users\\陈\\总结.pdf") == "总结.pdf"
    assert clean_name("../../etc/passwd\x00.pdf") == "passwd.pdf"
    assert clean_name("a" * 300 + ".docx").endswith(".docx")
    assert len(clean_name("a" * 300 + ".docx")) == 200


def test_an_identical_file_is_stored_once_and_nothing_is_left_of_a_refusal(
        tmp_path: Path) -> None:
    store = FileStore(str(tmp_path / "files"))
    for _ in range(2):
        with store.batch() as batch:
            batch.add_bytes("a.pdf", PDF)
            [placed] = batch.place()
    assert len(store.stored()) == 1 and placed["size"] == len(PDF)
    with store.batch() as batch:  # left without being placed: the temporary file goes
        batch.add_bytes("b.pdf", PDF + b"x")
    assert len(store.stored()) == 1
    with pytest.raises(TooLarge), store.batch(file_cap=10) as batch:
        batch.add_bytes("c.pdf", PDF)
    with pytest.raises(BadInput), store.batch() as batch:
        batch.add_bytes("d.png", PDF)
    assert len(store.stored()) == 1
    with pytest.raises(NotFound):
        store.existing("../" + "0" * 62)


def test_a_docx_must_name_word_document_xml_in_its_zip_directory(tmp_path: Path) -> None:
    store = FileStore(str(tmp_path / "files"))

    def zipped(member: str) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(member, "<w:document/>")
        return out.getvalue()

    with store.batch() as batch:
        batch.add_bytes("总结.docx", zipped("word/document.xml"))
        assert batch.place()[0]["name"] == "总结.docx"
    with pytest.raises(BadInput, match="Word"), store.batch() as batch:
        batch.add_bytes("总结.docx", zipped("xl/workbook.xml"))
    with pytest.raises(BadInput), store.batch() as batch:
        batch.add_bytes("总结.docx", b"PK\x03\x04 not really a zip")
    assert len(store.stored()) == 1
