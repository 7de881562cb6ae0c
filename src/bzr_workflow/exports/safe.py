"""How every export reaches a spreadsheet and the disk: no cell a spreadsheet would run as a
formula, and `--out` written whole through a temporary file beside it, never onto the store,
through a symlink, onto a folder, or over an existing file without `--force`."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..domain.errors import BadInput

if TYPE_CHECKING:
    from ..adapters.store import Location

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What Excel, LibreOffice and WPS may read as the start of a formula (OWASP's list)."""
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?\Z")
STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def live(value: Any) -> bool:
    """Text a spreadsheet would evaluate: starts like a formula and is not a plain number
    (`-12.50` stays a number)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) \
        and not _NUMBER.match(value)


def csv_cell(value: Any) -> Any:
    """A CSV cell: live text gets a leading apostrophe, so it is shown, never run."""
    return "'" + value if live(value) else value


def csv_rows(table: Iterable[Sequence[Any]]) -> list[list[Any]]:
    return [[csv_cell(v) for v in row] for row in table]


def xlsx_append(sheet: Any, row: Sequence[Any]) -> None:
    """Append a row to an openpyxl sheet with every text cell typed as text (openpyxl stores a
    str starting with `=` as a formula); live text also gets Excel's quote prefix, so editing
    the cell keeps it text. Numbers stay numbers."""
    clean = [_legal(v) for v in row]
    sheet.append(clean)
    r = sheet.max_row
    for c, value in enumerate(clean, 1):
        if isinstance(value, str):
            xlsx_cell(sheet, r, c, value)


def xlsx_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    """One cell, text typed as text; control characters XLSX cannot hold become U+FFFD."""
    value = _legal(value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if live(value):
            cell.quotePrefix = True
    return cell


def _legal(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


# -- writing a file ------------------------------------------------------------------------

def store_files(location: Location | None) -> list[str]:
    """The paths an SQLite store owns (the file, its WAL, shared memory and journal)."""
    if location is None or not location.is_sqlite:
        return []
    base = os.path.realpath(location.path)
    return [base + suffix for suffix in STORE_SUFFIXES]


def check_out(out: str, location: Location | None, force: bool = False) -> None:
    """Refuse (BadInput, exit 2) an `--out` that is the store's own file (or its -wal, -shm,
    -journal), a symlink, a folder, something other than a regular file, or an existing file
    without `force`; its folder must exist. Checked again when writing."""
    if not out or out.endswith(os.sep):
        raise BadInput("--out {out!r}: give a file name, not a folder", out=out)
    try:
        st: os.stat_result | None = os.lstat(out)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise BadInput("--out {out}: cannot use this path ({strerror})", out=out,
                       strerror=exc.strerror) from None
    real = os.path.realpath(out)
    owned = store_files(location)
    if real in owned or (st is not None and _same_as_any(st, owned)):
        raise BadInput("--out {out}: that is the store's own file; write the export elsewhere",
                       out=out)
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise BadInput("--out {out}: is a symbolic link; give the real file's path", out=out)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise BadInput("--out {out}: is a folder; give a file name in it", out=out)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise BadInput("--out {out}: is not a regular file", out=out)
    if st is not None and not force:
        raise BadInput("--out {out}: the file exists; add --force to replace it", out=out)
    if not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        raise BadInput("--out {out}: the folder does not exist", out=out)


def _same_as_any(st: os.stat_result, paths: list[str]) -> bool:
    for path in paths:
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def write_out(out: str, write: Callable[[str], None], location: Location | None,
              force: bool = False) -> None:
    """Write `out` whole or not at all: `write(tmp)` fills a temporary file in the same
    folder, which is then renamed onto `out` (with `force`) or linked to it (without: an
    existing file is never replaced, even one that appeared meanwhile)."""
    check_out(out, location, force)
    folder, name = os.path.split(os.path.abspath(out))
    import tempfile  # here: commands that write no file never pay for importing it

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        os.close(fd)
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        _give_usual_mode(tmp)
        check_out(out, location, force)
        if force:
            os.replace(tmp, out)
        else:
            _place_new(tmp, out)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _place_new(tmp: str, out: str) -> None:
    try:
        os.link(tmp, out)  # fails if `out` exists by now: never replaces anything
    except FileExistsError:
        raise BadInput("--out {out}: the file exists; add --force to replace it", out=out) from None
    except OSError:  # a file system without hard links
        if os.path.lexists(out):
            raise BadInput("--out {out}: the file exists; add --force to replace it",
                           out=out) from None
        os.rename(tmp, out)


def _give_usual_mode(path: str) -> None:
    """mkstemp makes the file private (0600); an export gets the mode any new file would."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
