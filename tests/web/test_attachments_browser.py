"""Attaching files to the self-summary in a real browser (Chromium through Playwright) against the
served app: 陈晓明 picks a PDF and a PNG in the summary form, the case page lists them by name with
their size at 1280 and 375 px (no sideways scroll), and the link downloads the file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appraisalrun import guilin_appointed
from webrun import SHOTS, Served, chromium, chromium_browser  # noqa: F401 (fixtures)

if os.environ.get("CI", "").lower() != "true":
    pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser  # noqa: E402

from test_appraisal_browser import person  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(80))


def test_the_advisor_attaches_a_pdf_and_a_png_from_the_browser(
        tmp_path: Path, chromium_browser: Browser) -> None:
    db = str(tmp_path / "guilin.db")
    app = guilin_appointed(db)
    ref = app.appraisals.open_appraisals("2026-2027-1", [("chen", "kj1", "nanning")], "li",
                                         True)[0]["id"]
    app.close()
    (tmp_path / "个人总结.pdf").write_bytes(PDF)
    (tmp_path / "班会照片.png").write_bytes(PNG)
    served = Served(db)
    try:
        for width in (1280, 375):
            page = person(chromium_browser, served.url, "chen", width)
            page.goto(f"/cases/{ref}")
            if width == 1280:
                page.fill("textarea[name=summary]", "本学期按时传达教学通知，见附件。")
                page.set_input_files("input[name=attachments]",
                                     [str(tmp_path / "个人总结.pdf"), str(tmp_path / "班会照片.png")])
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / "attachments-form-1280.png"), full_page=True)
                with page.expect_navigation():
                    page.click(f"form[action='/cases/{ref}/summary'] [type=submit]")
            text = page.inner_text("main")
            assert "附件" in text and "个人总结.pdf" in text and "班会照片.png" in text, text[:800]
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=str(SHOTS / f"attachments-case-{width}.png"), full_page=True)
            with page.expect_download() as got:
                page.click("ul.attachments a >> text=个人总结.pdf")
            download = got.value
            assert download.suggested_filename == "个人总结.pdf"
            assert Path(download.path()).read_bytes() == PDF
            page.context.close()
    finally:
        served.close()
