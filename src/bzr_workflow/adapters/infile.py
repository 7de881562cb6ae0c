"""What the engine accepts as an input file: a regular file under a size cap, read without
blocking, as UTF-8 or (only when it is GBK throughout) GBK; and an XLSX only when its
unpacked size is capped, checked before it is opened.

UTF-8 or GBK. A file that decodes as UTF-8 (with or without a byte order mark) is UTF-8. One
that does not is taken as GBK (GB18030, its superset) only when it decodes as GBK from the
first byte to the last *and* it does not look like UTF-8 with stray bytes: when at most one in
ten of its non-ASCII bytes lies outside a well-formed UTF-8 sequence, it is damaged UTF-8. (GBK
text puts some of its bytes into such sequences by chance, about a third of them; no line of the
seeds' Chinese saved as GBK came below one in six left outside. UTF-8 text leaves out only the
stray bytes.) Otherwise, or with a UTF-8 byte order mark, the file is refused, naming the byte
offset (from 0) of the first byte that is not UTF-8. A very short file (fewer than ten non-ASCII
bytes) with a stray byte may still pass as GBK if GBK can read it: nothing can tell them apart."""

from __future__ import annotations

import os
import re
import stat
from typing import IO, TYPE_CHECKING

from ..domain.errors import BadInput

if TYPE_CHECKING:
    import zipfile

ARG_MAX_BYTES = 1024 * 1024
"""An `@FILE` argument (a self-summary, 主要事迹): at most 1 MiB."""
XLSX_MAX_UNPACKED = 64 * 1024 * 1024
"""An XLSX's members together, unpacked: at most 64 MiB (a 10,000-row sheet is a few MiB)."""
XLSX_MAX_ROWS = 100_000
XLSX_MAX_COLUMNS = 256

_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_ASCII = bytes(range(128))
BOM = b"\xef\xbb\xbf"


def read_capped(path: str, cap: int, what: str = "") -> bytes:
    """A regular file's bytes, refused (BadInput) when it is missing, not a regular file (a
    folder, a FIFO, a device such as /dev/zero) or larger than `cap`; never blocks."""
    what = f"{what} {path}" if what else path
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise BadInput("{what}: no such file", what=what) from None
    except OSError as exc:
        raise BadInput("{what}: cannot read it ({strerror})",
                       what=what, strerror=exc.strerror) from None
    if not stat.S_ISREG(before.st_mode):
        raise BadInput("{what}: not a regular file", what=what)
    if before.st_size > cap:
        raise BadInput("{what}: larger than {cap}", what=what, cap=_size(cap))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise BadInput("{what}: cannot read it ({strerror})",
                       what=what, strerror=exc.strerror) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else meanwhile
            raise BadInput("{what}: not a regular file", what=what)
        raw = handle.read(cap + 1)
    if len(raw) > cap:
        raise BadInput("{what}: larger than {cap}", what=what, cap=_size(cap))
    return raw


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (a byte order mark dropped), or GBK when it is GBK throughout and not UTF-8 with
    a stray byte (see the module's docstring); otherwise BadInput naming the first bad byte."""
    body = raw[len(BOM):] if raw.startswith(BOM) else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(raw) - len(body)
    broken = f"{name}: not UTF-8 (byte {offset} is not valid)"
    if body is not raw or _mostly_utf8(body):
        raise BadInput("{broken} and not GBK either; save it as UTF-8", broken=broken) from None
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError:
        raise BadInput("{broken} and not GBK either; save it as UTF-8", broken=broken) from None


def _mostly_utf8(raw: bytes) -> bool:
    """At most one non-ASCII byte in ten outside well-formed UTF-8 sequences."""
    high = len(raw.translate(None, _ASCII))
    in_sequences = sum(m.end() - m.start() for m in _UTF8_SEQUENCE.finditer(raw))
    return (high - in_sequences) * 10 <= high


def read_text_arg(value: str) -> str:
    """TEXT, or for `@FILE` that file's text (a regular file of at most ARG_MAX_BYTES, UTF-8
    or GBK as `decode` decides)."""
    if not value.startswith("@"):
        return value
    path = value[1:]
    return decode(read_capped(path, ARG_MAX_BYTES, "@FILE"), path)


def check_xlsx(file: IO[bytes], name: str) -> None:
    """Refuse an XLSX before it is opened when it is not a zip file or unpacks to more than
    XLSX_MAX_UNPACKED (the sizes the zip declares; Python's zipfile stops reading at them)."""
    import zipfile  # here: a command that reads no XLSX never pays for zipfile and its codecs

    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > XLSX_MAX_UNPACKED or len(members) > 10_000:
                raise BadInput("{name}: unpacks to {unpacked}, more than {limit}; split it or "
                               "save it as CSV", name=name, unpacked=_size(unpacked),
                               limit=_size(XLSX_MAX_UNPACKED))
            for member in members:
                if member.filename.endswith((".xml", ".rels")) and \
                        not _plain_xml(archive, member):
                    raise BadInput("{name}: {filename} declares a DTD or entities, which no "
                                   "spreadsheet program writes", name=name,
                                   filename=member.filename)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
        raise BadInput("{name}: not a readable XLSX file", name=name) from None


_PROLOG = 64 * 1024
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ELEMENT = re.compile(rb"<[A-Za-z_]")


def _plain_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """No DOCTYPE before the root element, which must start within the first 64 KiB: entity
    expansion ("billion laughs") is refused before any parser sees the file."""
    with archive.open(member) as handle:
        head = _COMMENT.sub(b"", handle.read(_PROLOG))
    root = _ELEMENT.search(head)
    if root is None:
        return member.file_size == 0
    return b"<!DOCTYPE" not in head[:root.start()] and b"<!ENTITY" not in head[:root.start()]


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"
