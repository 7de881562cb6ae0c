"""Files attached to the appraisal self-summary, through the page form and the API: checked by
their content, stored once by SHA-256 in the store's private folder (`<store>.files/`), the
digest in the event, downloadable by the case's readers only; refusals leave nothing behind.

Guilin: 陈晓明 (chen) advises 会计1班 at 南宁校外教学点, whose head 张建国 (zhang) reads his
appraisal; 黄丽华 (huang) heads another site and may not read it."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from appraisalrun import guilin_appointed
from bzr_workflow.application import WorkflowApp, open_app, parse_location
from bzr_workflow.web.app import create_app
from pagerun import csrf_of, password, sign_in

PERIOD = "2026-2027-1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def guilin(tmp_path: Path) -> Iterator[WorkflowApp]:
    app = guilin_appointed(str(tmp_path / "guilin.db"))
    yield app
    app.close()


@pytest.fixture
def web(guilin: WorkflowApp) -> Iterator[TestClient]:
    with TestClient(create_app(guilin.location, guilin), follow_redirects=False) as client:
        yield client


def opened(guilin: WorkflowApp) -> str:
    [case] = guilin.appraisals.open_appraisals(PERIOD, [("chen", "kj1", "nanning")], "li", True)
    return str(case["id"])


def folder(guilin: WorkflowApp) -> Path:
    return Path(guilin.location.path + ".files")


def stored(guilin: WorkflowApp) -> list[str]:
    """Every file in the attachments folder, temporary ones included."""
    root = folder(guilin)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) \
        if root.exists() else []


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def api_headers(client: TestClient, login: str) -> dict[str, str]:
    answer = client.post("/api/v1/session", json={"user": login, "password": password(login)})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf"]}


def as_api(guilin: WorkflowApp, login: str) -> tuple[TestClient, dict[str, str]]:
    client = TestClient(create_app(guilin.location, guilin), follow_redirects=False)
    client.__enter__()
    return client, api_headers(client, login)


def refusal(answer: object, status: int, code: int, says: str = "") -> None:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert body["code"] == code and "Traceback" not in answer.text, body  # type: ignore[attr-defined]
    assert says in body["error"] + body.get("message_id", ""), body


# -- the API -------------------------------------------------------------------------------

def test_a_pdf_and_a_png_attached_through_the_api_are_stored_once_by_digest(
        guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    answer = client.post(f"/api/v1/cases/{ref}/summary", headers=headers,
                         data={"summary": "本学期按时传达教学通知"},
                         files=[("attachments", ("总结.pdf", PDF, "application/pdf")),
                                ("attachments", ("班会照片.png", PNG, "image/png")),
                                ("attachments", ("总结-副本.pdf", PDF, "application/pdf"))])
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["summary"] == "本学期按时传达教学通知"
    assert shown["attachments"] == [
        {"digest": digest(PDF), "name": "总结.pdf", "type": "application/pdf", "size": len(PDF)},
        {"digest": digest(PNG), "name": "班会照片.png", "type": "image/png", "size": len(PNG)}]
    d = digest(PDF)
    assert stored(guilin) == sorted([f"{d[:2]}/{d[2:]}", f"{digest(PNG)[:2]}/{digest(PNG)[2:]}"])
    assert (folder(guilin) / d[:2] / d[2:]).read_bytes() == PDF
    assert stat.S_IMODE(os.stat(folder(guilin)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder(guilin) / d[:2] / d[2:]).st_mode) == 0o600

    again = client.post(f"/api/v1/cases/{ref}/summary", headers=headers,
                        data={"summary": "修改后的总结"},
                        files=[("attachments", ("再传一次.pdf", PDF, "application/pdf"))])
    assert again.status_code == 200, again.text
    assert [a["name"] for a in again.json()["attachments"]] == ["总结.pdf", "班会照片.png"]
    assert len(stored(guilin)) == 2  # the same file twice: one stored file
    assert guilin.reads.show(ref)["attachments"] == shown["attachments"]
    client.__exit__(None, None, None)


def test_the_cases_readers_download_an_attachment_and_a_stranger_is_403(
        guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    assert client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                       files=[("attachments", ("我的 总结.pdf", PDF, "application/pdf"))]
                       ).status_code == 200
    for login in ("chen", "zhang"):
        reader, _ = as_api(guilin, login)
        got = reader.get(f"/api/v1/cases/{ref}/attachments/{digest(PDF)}")
        assert got.status_code == 200 and got.content == PDF, got.text
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert "filename*=UTF-8''%E6%88%91%E7%9A%84%20%E6%80%BB%E7%BB%93.pdf" in \
            got.headers["content-disposition"]
        assert got.headers["content-disposition"].startswith("attachment;")
    stranger, _ = as_api(guilin, "huang")
    refusal(stranger.get(f"/api/v1/cases/{ref}/attachments/{digest(PDF)}"), 403, 3,
            "may not read")
    refusal(stranger.get(f"/api/v1/cases/{ref}/attachments/{digest(PNG)}"), 403, 3,
            "may not read")
    refusal(client.get(f"/api/v1/cases/{ref}/attachments/{digest(PNG)}"), 404, 2)
    refusal(client.get(f"/api/v1/cases/{ref}/attachments/..%2F..%2Fguilin.db"), 404, 2)


def test_a_stranger_uploading_is_403_before_anything_is_stored(guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    for login, says in (("huang", "may not read"), ("zhang", "only {subject}")):
        client, headers = as_api(guilin, login)
        refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers,
                            data={"summary": "代写"},
                            files=[("attachments", ("a.pdf", PDF, "application/pdf"))]),
                403, 3, says)
    assert stored(guilin) == []
    assert guilin.reads.show(ref)["attachments"] == []


def test_an_exe_renamed_pdf_is_refused_400_and_nothing_is_stored(guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                        files=[("attachments", ("班会照片.png", PNG, "image/png")),
                               ("attachments", ("总结.pdf", EXE, "application/pdf"))]),
            400, 2, "总结.pdf")
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                        files=[("attachments", ("tool.exe", EXE, "application/pdf"))]), 400, 2)
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                        files=[("attachments", ("photo.pdf", PNG, "application/pdf"))]), 400, 2)
    not_word = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                        files=[("attachments", ("总结.docx", not_word.getvalue(), "x"))]), 400, 2)
    assert stored(guilin) == []
    assert guilin.reads.show(ref)["summary"] is None


def test_a_word_document_is_accepted_by_its_content(guilin: WorkflowApp) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("个人书面总结")
    word = io.BytesIO()
    document.save(word)
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    answer = client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "见附件"},
                         files=[("attachments", ("总结.docx", word.getvalue(), "text/plain"))])
    assert answer.status_code == 200, answer.text
    [attached] = answer.json()["attachments"]
    assert attached["type"] == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_a_file_over_the_cap_is_refused_413_at_once_and_nothing_is_left(
        guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    big = PDF + b"0" * (10 * 1024 * 1024)
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                        files=[("attachments", ("大文件.pdf", big, "application/pdf"))]),
            413, 2, "大文件.pdf")
    assert stored(guilin) == []
    together = [("attachments", (f"{n}.pdf", PDF + bytes([n]) * (9 * 1024 * 1024),
                                 "application/pdf")) for n in range(3)]
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                        files=together), 413, 2)
    assert stored(guilin) == []
    many = [("attachments", (f"{n}.pdf", PDF + bytes([n]), "application/pdf")) for n in range(11)]
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                        files=many), 400, 2)
    assert stored(guilin) == []
    declared = client.post(f"/api/v1/cases/{ref}/summary", content=b"x",
                           headers={**headers, "Content-Length": str(40 * 1024 * 1024),
                                    "Content-Type": "multipart/form-data; boundary=b"})
    refusal(declared, 413, 2)
    json_body = client.post(f"/api/v1/cases/{ref}/summary", headers=headers,
                            json={"summary": "长" * (1 << 20)})
    refusal(json_body, 413, 2)  # JSON keeps the 1 MiB body cap
    assert stored(guilin) == [] and guilin.reads.show(ref)["summary"] is None


def test_the_json_body_still_works_and_refuses_unknown_fields(guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers,
                        json={"summary": "x", "actor": "zhang"}), 400, 2)
    refusal(client.post(f"/api/v1/cases/{ref}/summary", headers=headers,
                        data={"summary": "x", "actor": "zhang"},
                        files=[("attachments", ("a.pdf", PDF, "application/pdf"))]), 400, 2)
    assert stored(guilin) == []
    answer = client.post(f"/api/v1/cases/{ref}/summary", headers=headers, json={"summary": "总结"})
    assert answer.status_code == 200 and answer.json()["attachments"] == []


# -- the page ------------------------------------------------------------------------------

def test_the_advisor_attaches_files_from_the_case_page_and_readers_download_them(
        guilin: WorkflowApp, web: TestClient) -> None:
    ref = opened(guilin)
    sign_in(web, "chen")
    page = web.get(f"/cases/{ref}")
    assert 'enctype="multipart/form-data"' in page.text and 'name="attachments"' in page.text
    token = csrf_of(page.text)
    answer = web.post(f"/cases/{ref}/summary", data={"csrf": token, "summary": "书面总结"},
                      files=[("attachments", ("总结.pdf", PDF, "application/pdf")),
                             ("attachments", ("照片.png", PNG, "image/png"))])
    assert (answer.status_code, answer.headers["location"]) == (303, f"/cases/{ref}"), answer.text
    page = web.get(f"/cases/{ref}").text
    assert "总结.pdf" in page and "照片.png" in page
    assert f"/cases/{ref}/attachments/{digest(PDF)}" in page
    got = web.get(f"/cases/{ref}/attachments/{digest(PNG)}")
    assert (got.status_code, got.content, got.headers["content-type"]) == (200, PNG, "image/png")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert len(stored(guilin)) == 2

    with TestClient(create_app(guilin.location, guilin), follow_redirects=False) as other:
        sign_in(other, "huang")
        assert other.get(f"/cases/{ref}/attachments/{digest(PNG)}").status_code == 403
        token = csrf_of(other.get("/").text) if 'name="csrf"' in other.get("/").text else ""
        refused = other.post(f"/cases/{ref}/summary", data={"csrf": token, "summary": "代写"},
                             files=[("attachments", ("x.pdf", EXE + b"1", "application/pdf"))])
        assert refused.status_code == 403
    assert len(stored(guilin)) == 2


def test_the_page_form_refuses_a_wrong_file_and_a_missing_token_leaving_nothing(
        guilin: WorkflowApp, web: TestClient) -> None:
    ref = opened(guilin)
    sign_in(web, "chen")
    token = csrf_of(web.get(f"/cases/{ref}").text)
    answer = web.post(f"/cases/{ref}/summary", data={"csrf": token, "summary": "总结"},
                      files=[("attachments", ("总结.pdf", EXE, "application/pdf"))])
    assert answer.status_code == 400 and "总结.pdf" in answer.text
    answer = web.post(f"/cases/{ref}/summary", data={"summary": "总结"},
                      files=[("attachments", ("总结.pdf", PDF, "application/pdf"))])
    assert answer.status_code == 401
    assert stored(guilin) == []
    empty = web.post(f"/cases/{ref}/summary", data={"csrf": token, "summary": "只有文字"},
                     files=[("attachments", ("", b"", "application/octet-stream"))])
    assert empty.status_code == 303, empty.text  # a file input left empty
    assert guilin.reads.show(ref)["attachments"] == [] and stored(guilin) == []


# -- the event -----------------------------------------------------------------------------

def test_the_attachments_replay_after_reopening_and_their_names_are_sealed(
        guilin: WorkflowApp, tmp_path: Path) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    assert client.post(f"/api/v1/cases/{ref}/summary", headers=headers, data={"summary": "总结"},
                       files=[("attachments", ("陈晓明的总结.pdf", PDF, "application/pdf"))]
                       ).status_code == 200
    client.__exit__(None, None, None)
    path = guilin.location.path
    reopened = open_app(parse_location(path))
    try:
        [attached] = reopened.reads.show(ref)["attachments"]
        assert attached == {"digest": digest(PDF), "name": "陈晓明的总结.pdf",
                            "type": "application/pdf", "size": len(PDF)}
        assert reopened.appraisals.attachment(ref, "zhang", digest(PDF))[0].endswith(
            f"{digest(PDF)[:2]}/{digest(PDF)[2:]}")
    finally:
        reopened.close()
    with sqlite3.connect(path) as raw:
        blobs = b"".join(bytes(row[0]) for row in raw.execute("SELECT state FROM stored_events"))
    assert "陈晓明的总结".encode() not in blobs  # the name is sealed under chen's key


def test_the_openapi_document_offers_json_or_multipart_for_the_summary(
        guilin: WorkflowApp, web: TestClient) -> None:
    operation = web.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/cases/{ref}/summary"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json",
                                                        "multipart/form-data"}
    assert {"200", "400", "401", "403", "404", "409", "413", "422"} <= set(operation["responses"])
    assert "/api/v1/cases/{ref}/attachments/{digest}" in web.get("/api/v1/openapi.json").json()[
        "paths"]


def test_a_file_name_that_is_not_utf8_is_refused_400_and_nothing_is_stored(
        guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    body = (b"--b\r\nContent-Disposition: form-data; name=\"summary\"\r\n\r\nx\r\n"
            b"--b\r\nContent-Disposition: form-data; name=\"attachments\"; "
            b"filename=\"\xd7\xdc\xbd\xe1.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
            + PDF + b"\r\n--b--\r\n")
    refusal(client.post(f"/api/v1/cases/{ref}/summary", content=body,
                        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"}),
            400, 2)
    refusal(client.post(f"/api/v1/cases/{ref}/summary", content=b"--b\r\ngarbage",
                        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"}),
            400, 2)
    assert stored(guilin) == []


def test_a_part_header_beyond_8_kib_is_refused_400(guilin: WorkflowApp) -> None:
    ref = opened(guilin)
    client, headers = as_api(guilin, "chen")
    body = (b"--b\r\nContent-Disposition: form-data; name=\"summary\"\r\nX-Pad: "
            + b"a" * 9000 + b"\r\n\r\nx\r\n--b--\r\n")
    refusal(client.post(f"/api/v1/cases/{ref}/summary", content=body,
                        headers={**headers, "Content-Type": "multipart/form-data; boundary=b"}),
            400, 2)
    assert guilin.reads.show(ref)["summary"] is None
