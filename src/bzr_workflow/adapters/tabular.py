"""Rows from a CSV or XLSX file, whatever the encoding offices save them in (UTF-8, BOM, GBK)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..domain.errors import BadInput
from .infile import XLSX_MAX_COLUMNS, XLSX_MAX_ROWS, check_xlsx, decode, read_capped

MAX_BYTES = 20 * 1024 * 1024


def read_rows(path: str) -> list[dict[str, str]]:
    """Each data row as {header: text}; the first row is the header."""
    return [row for _, row in read_numbered_rows(path)]


def read_numbered_rows(path: str) -> list[tuple[int, dict[str, str]]]:
    """Each data row with its number as the spreadsheet shows it (the header is row 1; an
    empty row is skipped but keeps its number)."""
    file = Path(path)
    raw = read_capped(path, MAX_BYTES)  # a regular file, not too large, read once
    table = _xlsx(file, raw) if file.suffix.lower() == ".xlsx" else _csv(file, raw)
    if not table:
        raise BadInput("{path}: the file is empty", path=path)
    header = [h.strip() for h in table[0]]
    if len(set(header)) != len(header) or not all(header):
        raise BadInput("{path}: the header row needs distinct, non-empty column names", path=path)
    return [(n, dict(zip(header, (c.strip() for c in row), strict=False)))
            for n, row in enumerate(table[1:], 2) if any(c.strip() for c in row)]


def pick(row: dict[str, str], columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The row's values under our column names, whichever accepted header the file used."""
    out = {}
    for key, names in columns.items():
        found = [row[n] for n in names if n in row]
        out[key] = found[0] if found else ""
    return out


def _csv(file: Path, raw: bytes) -> list[list[str]]:
    text = decode(raw, str(file))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise BadInput("{file}: not a readable CSV file ({exc})", file=file, exc=exc) from None


def _xlsx(file: Path, raw: bytes) -> list[list[str]]:
    """The first sheet's rows, streamed (read-only mode), after its unpacked size is checked;
    more than XLSX_MAX_ROWS rows or XLSX_MAX_COLUMNS columns is refused."""
    from openpyxl import load_workbook

    check_xlsx(io.BytesIO(raw), str(file))
    try:
        values = load_workbook(io.BytesIO(raw), read_only=True, data_only=True).active
        formulas = load_workbook(io.BytesIO(raw), read_only=True).active
        declared_rows, declared_columns = values.max_row, values.max_column
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise BadInput("{file}: not a readable XLSX file ({error})", file=file,
                       error=type(exc).__name__) from None
    if (declared_rows or 0) > XLSX_MAX_ROWS or (declared_columns or 0) > XLSX_MAX_COLUMNS:
        raise BadInput("{file}: more than {XLSX_MAX_ROWS} rows or {XLSX_MAX_COLUMNS} columns; "
                       "split it", file=file, XLSX_MAX_ROWS=XLSX_MAX_ROWS,
                       XLSX_MAX_COLUMNS=XLSX_MAX_COLUMNS)
    try:
        return _xlsx_rows(file, values, formulas)
    except BadInput:
        raise
    except Exception as exc:  # a sheet broken past its first rows
        raise BadInput("{file}: not a readable XLSX file ({error})", file=file,
                       error=type(exc).__name__) from None


def _xlsx_rows(file: Path, values: Any, formulas: Any) -> list[list[str]]:
    rows = []
    for n, (row, raw) in enumerate(zip(values.iter_rows(values_only=True),
                                       formulas.iter_rows(values_only=True)), 1):
        if n > XLSX_MAX_ROWS or len(row) > XLSX_MAX_COLUMNS:
            raise BadInput("{file}: more than {XLSX_MAX_ROWS} rows or {XLSX_MAX_COLUMNS} "
                           "columns; split it", file=file, XLSX_MAX_ROWS=XLSX_MAX_ROWS,
                           XLSX_MAX_COLUMNS=XLSX_MAX_COLUMNS)
        for value, source in zip(row, raw):
            if value is None and isinstance(source, str) and source.startswith("="):
                raise BadInput("{file}: row {n} has a formula ({source}) with no saved value; "
                               "open and save the file in Excel, or paste values", file=file, n=n,
                               source=source)
        rows.append([_cell(v) for v in row])
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return str(value.date().isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
