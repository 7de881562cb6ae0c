"""Uploads: a multipart body streamed part by part, its files written straight into the store's private folder under their caps, and the stored files sent back as downloads.

Nothing of an upload goes through the system /tmp or memory beyond one chunk: python-multipart's
streaming parser is fed the body as it arrives (each chunk handed to a worker thread, which
writes it to the file's temporary file in the attachments folder, adapters/files.py), so a file
above its cap, or files above the request's cap, are refused (413) the moment the cap is passed.
The reading rule and the right to submit are asked before the first byte of the body is read."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import FileResponse, Response
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from ..adapters.files import Batch
from ..domain.errors import BadInput
from .auth import Caller, check_csrf

FIELDS_MAX = 20  # text fields of an upload form
FIELDS_BYTES = 1 << 20  # their text together: at most 1 MiB, as any other body
FILE_FIELD = "attachments"


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    file: bool = False
    skipped: bool = False
    data: bytearray = field(default_factory=bytearray)


class _Receiver:
    """The parser's callbacks: text fields kept (capped), files streamed into `batch`. With
    `csrf_of` (a page form), the hidden `csrf` must have come, and be right, before a file."""

    def __init__(self, batch: Batch, csrf_of: Caller | None) -> None:
        self.batch, self.csrf_of = batch, csrf_of
        self.fields: dict[str, str] = {}
        self.part = _Part()
        self.header_name, self.header_value = bytearray(), bytearray()
        self.text_bytes = 0
        self.csrf_checked = csrf_of is None

    def callbacks(self) -> dict[str, Any]:
        return {"on_part_begin": self.on_part_begin, "on_part_data": self.on_part_data,
                "on_part_end": self.on_part_end, "on_header_field": self.on_header_field,
                "on_header_value": self.on_header_value, "on_header_end": self.on_header_end,
                "on_headers_finished": self.on_headers_finished}

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]  # python-multipart caps a part's header size

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[bytes(self.header_name).lower()] = bytes(self.header_value)
        self.header_name, self.header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        if b"name" not in options:
            raise BadInput("a multipart part without a name")
        self.part.name = _text(options[b"name"])
        if b"filename" not in options:
            if len(self.fields) >= FIELDS_MAX:
                raise BadInput("more than {count} fields", count=FIELDS_MAX)
            return
        self.part.file = True
        if self.part.name != FILE_FIELD:
            raise BadInput("unknown file field {field!r}; files come as {expected}",
                           field=self.part.name[:64], expected=FILE_FIELD)
        filename = _text(options[b"filename"])
        if not filename:  # a file input left empty
            self.part.skipped = True
            return
        if not self.csrf_checked:
            assert self.csrf_of is not None
            check_csrf(self.csrf_of, self.fields.get("csrf"))
            self.csrf_checked = True
        self.batch.begin(filename)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part.skipped:
            return
        if self.part.file:
            self.batch.write(data[start:end])
            return
        self.text_bytes += end - start
        if self.text_bytes > FIELDS_BYTES:
            raise BadInput("the form's text is above {limit} bytes", limit=FIELDS_BYTES)
        self.part.data += data[start:end]

    def on_part_end(self) -> None:
        if self.part.file:
            if not self.part.skipped:
                self.batch.end()
            return
        self.fields[self.part.name] = _text(bytes(self.part.data))


def _text(raw: bytes) -> str:
    """A field's name, value or file name: UTF-8, as every other body must be (boundary.py)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("a form field or file name is not UTF-8; nothing was stored") from None


async def receive(request: Request, batch: Batch, csrf_of: Caller | None = None
                  ) -> dict[str, str]:
    """Stream the multipart body of `request` into `batch`; the text fields it carried. A
    refusal on the way (a cap, a type, a bad CSRF token) discards what was staged."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadInput("a multipart body without a boundary")
    receiver = _Receiver(batch, csrf_of)
    parser = MultipartParser(boundary, receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(parser.write, chunk)
        await run_in_threadpool(parser.finalize)
        await run_in_threadpool(batch.end)
    except MultipartParseError:
        await run_in_threadpool(batch.discard)
        raise BadInput("the multipart body is malformed; nothing was stored") from None
    except BaseException:
        await run_in_threadpool(batch.discard)
        raise
    if not receiver.csrf_checked:
        assert csrf_of is not None
        check_csrf(csrf_of, receiver.fields.get("csrf"))
    return receiver.fields


def download(path: str, record: dict[str, Any]) -> Response:
    """A stored file as an attachment, under its own name and the type it was checked as."""
    name = str(record.get("name") or os.path.basename(path))
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return FileResponse(path, media_type=str(record["type"]),
                        headers={"Content-Disposition": disposition,
                                 "X-Content-Type-Options": "nosniff",
                                 "Cache-Control": "no-store"})
