"""Rows from a CSV or XLSX file, whatever the encoding offices save them in (UTF-8, BOM, GBK)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..domain.errors import BadInput

MAX_BYTES = 20 * 1024 * 1024


def read_rows(path: str) -> list[dict[str, str]]:
    """Each data row as {header: text}; the first row is the header."""
    file = Path(path)
    if not file.is_file():
        raise BadInput(f"{path}: no such file")
    if file.stat().st_size > MAX_BYTES:
        raise BadInput(f"{path}: larger than {MAX_BYTES // 1024 // 1024} MiB")
    table = _xlsx(file) if file.suffix.lower() == ".xlsx" else _csv(file)
    if not table:
        raise BadInput(f"{path}: the file is empty")
    header = [h.strip() for h in table[0]]
    if len(set(header)) != len(header) or not all(header):
        raise BadInput(f"{path}: the header row needs distinct, non-empty column names")
    return [dict(zip(header, (c.strip() for c in row), strict=False)) for row in table[1:]
            if any(c.strip() for c in row)]


def pick(row: dict[str, str], columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The row's values under our column names, whichever accepted header the file used."""
    out = {}
    for key, names in columns.items():
        found = [row[n] for n in names if n in row]
        out[key] = found[0] if found else ""
    return out


def _csv(file: Path) -> list[list[str]]:
    raw = file.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise BadInput(f"{file}: neither UTF-8 nor GBK text")
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise BadInput(f"{file}: not a readable CSV file ({exc})") from None


def _xlsx(file: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        values = load_workbook(str(file), read_only=True, data_only=True).active
        formulas = load_workbook(str(file), read_only=True).active
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise BadInput(f"{file}: not a readable XLSX file ({type(exc).__name__})") from None
    rows = []
    for n, (row, raw) in enumerate(zip(values.iter_rows(values_only=True),
                                       formulas.iter_rows(values_only=True)), 1):
        for value, source in zip(row, raw):
            if value is None and isinstance(source, str) and source.startswith("="):
                raise BadInput(f"{file}: row {n} has a formula ({source}) with no saved value;"
                               " open and save the file in Excel, or paste values")
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
