"""Attached files, stored once by content: a private folder of SHA-256-named files beside the store.

For an SQLite store the folder is `<store path>.files/`; for PostgreSQL it is the folder named by
BZR_WORKFLOW_FILES (an upload without it is refused in one line). A file is `ab/cdef...` (its
SHA-256 in hex, split after two digits). An upload is written, while it streams in and is hashed,
to a temporary file in that same folder (mode 0600, folders 0700; never the system /tmp), counted
against a per-file and a per-request cap as it arrives, checked by its content (magic bytes; a
.docx is a zip whose central directory names word/document.xml, read without extracting
anything) against the type its name declares, and only then renamed into place, when the command
that records it has been decided. An identical file already in place is kept. A refused upload
leaves nothing behind."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..domain.errors import BadInput, NotFound, TooLarge
from .infile import read_capped
from .store import Location

FILE_CAP = 10 * 1024 * 1024
"""One attached file: at most 10 MiB."""
REQUEST_CAP = 25 * 1024 * 1024
"""The files of one request together: at most 25 MiB."""
COUNT_CAP = 10
"""Files attached in one request: at most 10."""
FILES_ENV = "BZR_WORKFLOW_FILES"

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
TYPES = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".docx": DOCX, ".doc": DOC}
"""What may be attached, by the extension its name must have, and the type it is served as."""
_MAGIC = {PDF: b"%PDF-", PNG: b"\x89PNG\r\n\x1a\n", JPEG: b"\xff\xd8\xff",
          DOCX: b"PK\x03\x04", DOC: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}
_DIGEST = re.compile(r"[0-9a-f]{64}")
ZIP_MEMBERS = 10_000


def files_root(location: Location) -> str | None:
    """The folder of attached files of the store at `location` (None: PostgreSQL without
    BZR_WORKFLOW_FILES)."""
    if location.is_sqlite:
        return os.path.abspath(location.path) + ".files"
    return os.environ.get(FILES_ENV) or None


def clean_name(name: str) -> str:
    """The file's own name as the sender gave it, without any folder, control character or
    surrounding space; at most 200 characters (the extension kept)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip().strip(".")
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[:200 - len(ext)] + ext
    return base


def type_of_name(name: str) -> str:
    """The type the name declares; a name without an accepted extension is refused."""
    ext = os.path.splitext(name)[1].lower()
    if ext not in TYPES:
        raise BadInput("{name}: only PDF, PNG, JPEG and Word (.docx, .doc) files may be "
                       "attached", name=name or "?")
    return TYPES[ext]


@dataclass
class Staged:
    """One upload written to its temporary file, hashed and counted."""

    name: str
    type: str
    temp: str
    size: int = 0
    digest: str = ""
    hasher: Any = field(default_factory=hashlib.sha256)

    def record(self) -> dict[str, Any]:
        """What the event keeps of it (primitives)."""
        return {"digest": self.digest, "name": self.name, "type": self.type, "size": self.size}


class FileStore:
    """The content-addressed folder (made on first use, 0700)."""

    def __init__(self, root: str | None) -> None:
        self.root = root

    def folder(self) -> str:
        if not self.root:
            raise BadInput("attachments need a folder of their own: set {env} to one "
                           "(PostgreSQL stores keep attached files there)", env=FILES_ENV)
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        return self.root

    def path_of(self, digest: str) -> str:
        if not _DIGEST.fullmatch(digest):
            raise NotFound("no attached file {digest}", digest=digest[:80])
        return os.path.join(self.folder(), digest[:2], digest[2:])

    def existing(self, digest: str) -> str:
        """The stored file of `digest` (NotFound when it is not there)."""
        path = self.path_of(digest)
        if not os.path.isfile(path):
            raise NotFound("no attached file {digest}", digest=digest)
        return path

    def batch(self, file_cap: int = FILE_CAP, request_cap: int = REQUEST_CAP,
              count_cap: int = COUNT_CAP) -> Batch:
        return Batch(self, file_cap, request_cap, count_cap)

    def stored(self) -> list[str]:
        """Every file in the folder, temporary ones included (for checks and tests)."""
        if not self.root or not os.path.isdir(self.root):
            return []
        return sorted(os.path.relpath(os.path.join(d, f), self.root)
                      for d, _, files in os.walk(self.root) for f in files)


class Batch:
    """One request's uploads: each streamed into a temporary file under the caps, checked when
    it ends, and renamed into place by `place()` once the command is decided; whatever is not
    placed is removed by `discard()` (or on leaving the `with` block)."""

    def __init__(self, store: FileStore, file_cap: int, request_cap: int, count_cap: int) -> None:
        self.store, self.file_cap, self.request_cap = store, file_cap, request_cap
        self.count_cap = count_cap
        self.staged: list[Staged] = []
        self.total = 0
        self._current: Staged | None = None
        self._handle: Any = None
        self._placed: list[dict[str, Any]] | None = None

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def __len__(self) -> int:
        return len(self.staged)

    def begin(self, name: str) -> None:
        """A new file named `name` (its type follows from the name and is checked against the
        content when it ends)."""
        self.end()
        shown = clean_name(name)
        try:
            kind = type_of_name(shown)
            if len(self.staged) >= self.count_cap:
                raise BadInput("at most {count} files may be attached at once",
                               count=self.count_cap)
        except BadInput:
            self.discard()
            raise
        fd, temp = tempfile.mkstemp(prefix=".part-", dir=self.store.folder())  # 0600
        self._handle = os.fdopen(fd, "wb")
        self._current = Staged(shown, kind, temp)
        self.staged.append(self._current)

    def write(self, data: bytes) -> None:
        current = self._current
        assert current is not None, "write before begin"
        current.size += len(data)
        self.total += len(data)
        if current.size > self.file_cap:
            self.discard()
            raise TooLarge("{name}: larger than {cap}; nothing was stored", name=current.name,
                           cap=_size(self.file_cap))
        if self.total > self.request_cap:
            self.discard()
            raise TooLarge("the attached files together are larger than {cap}; nothing was "
                           "stored", cap=_size(self.request_cap))
        current.hasher.update(data)
        self._handle.write(data)

    def end(self) -> None:
        """The file being written is complete: close it and check its content."""
        current, self._current = self._current, None
        if current is None:
            return
        self._handle.close()
        self._handle = None
        current.digest = current.hasher.hexdigest()
        try:
            _check_content(current)
        except BadInput:
            self.discard()
            raise

    def add_bytes(self, name: str, data: bytes) -> None:
        self.begin(name)
        self.write(data)
        self.end()

    def add_path(self, path: str) -> None:
        """A local file (the CLI's --attach): read through infile's checks, under the cap."""
        self.add_bytes(os.path.basename(path), read_capped(path, self.file_cap, "--attach"))

    def place(self) -> list[dict[str, Any]]:
        """Rename every checked file into place (an identical one already there is kept) and
        say what the event keeps of them; again, the same answer."""
        self.end()
        if self._placed is not None:
            return self._placed
        placed: list[dict[str, Any]] = []
        for staged in self.staged:
            final = self.store.path_of(staged.digest)
            os.makedirs(os.path.dirname(final), mode=0o700, exist_ok=True)
            if os.path.exists(final):
                os.unlink(staged.temp)
            else:
                os.replace(staged.temp, final)
            if staged.digest not in {p["digest"] for p in placed}:
                placed.append(staged.record())
        self._placed = placed
        return placed

    def discard(self) -> None:
        """Remove every temporary file not placed."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self._current = None
        if self._placed is None:
            for staged in self.staged:
                try:
                    os.unlink(staged.temp)
                except FileNotFoundError:
                    pass
            self.staged = []


def _check_content(staged: Staged) -> None:
    """The bytes must be what the name says: a PDF, PNG or JPEG by its magic bytes; a .docx a
    zip whose directory names word/document.xml; a .doc an OLE2 compound file."""
    with open(staged.temp, "rb") as handle:
        head = handle.read(8)
    if staged.size == 0 or not head.startswith(_MAGIC[staged.type]):
        raise BadInput("{name}: its content is not a {kind} file; nothing was stored",
                       name=staged.name, kind=_KIND_NAMES[staged.type])
    if staged.type == DOCX and not _word_zip(staged.temp):
        raise BadInput("{name}: its content is not a {kind} file; nothing was stored",
                       name=staged.name, kind=_KIND_NAMES[staged.type])


_KIND_NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", DOCX: "Word (.docx)", DOC: "Word (.doc)"}


def _word_zip(path: str) -> bool:
    """A zip whose central directory (read, nothing extracted) lists word/document.xml."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            return len(members) <= ZIP_MEMBERS and \
                any(m.filename == "word/document.xml" for m in members)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"
