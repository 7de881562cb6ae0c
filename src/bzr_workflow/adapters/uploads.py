"""Uploaded files on their way in: a private folder beside the store (never the system /tmp), one file per upload, capped as it streams and removed once read."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from ..domain.errors import BadInput
from .store import Location

UPLOAD_MAX = 5 * 1024 * 1024  # WEB.md: uploads have their own cap (the body cap is 1 MiB)
SUFFIXES = (".csv", ".xlsx")


def upload_folder(location: Location) -> str:
    """`<store>.uploads/` beside an SQLite store; for PostgreSQL under the user's config folder,
    named after host, port, database and schema. Made mode 0700 (only the server's user)."""
    if location.is_sqlite:
        folder = os.path.abspath(location.path) + ".uploads"
    else:
        home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"),
                                                                 ".config")
        name = "_".join(re.sub(r"[^A-Za-z0-9.-]", "-", part) for part in
                        (location.host, location.port, location.dbname,
                         location.schema or "public"))
        folder = os.path.join(home, "bzr-workflow", "uploads", name)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def suffix_of(filename: str) -> str:
    """The upload's kind by its name: .csv or .xlsx (anything else is refused)."""
    suffix = os.path.splitext(filename or "")[1].lower()
    if suffix not in SUFFIXES:
        raise BadInput("{name!r}: upload a .csv or .xlsx file", name=filename or "")
    return suffix


class Spool:
    """One upload being written: a new file (O_EXCL, mode 0600) in the private folder, at most
    `cap` bytes (BadInput past it), removed by `spooled` when done with."""

    def __init__(self, path: str, cap: int) -> None:
        self.path, self.cap, self.size = path, cap, 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise BadInput("the upload is above {cap} bytes; nothing was read", cap=self.cap)
        self.file.write(data)

    def close(self) -> None:
        self.file.close()


@contextmanager
def spooled(location: Location, suffix: str, cap: int = UPLOAD_MAX) -> Iterator[Spool]:
    """A Spool in the store's upload folder, its file removed on leaving (read or refused)."""
    path = os.path.join(upload_folder(location), secrets.token_hex(16) + suffix)
    spool = Spool(path, cap)
    try:
        yield spool
    finally:
        spool.close()
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
