"""Spreadsheet exports that can never run what people typed as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Spreadsheets skip leading spaces and invisible characters before reading a formula, so the
# check looks past them: ordinary and non-breaking spaces, and zero-width characters.
_IGNORED_LEADING = " \u00a0\u200b\u200c\u200d\u2060\ufeff\u180e\u3000"


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would treat as a formula, by prefixing an apostrophe.

    Full-width ＝ ＋ － ＠ count as formula signs, and so does a formula after leading spaces or
    zero-width characters."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(_IGNORED_LEADING).startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return CSV text with every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def to_xlsx(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """Return an .xlsx workbook; text cells are always stored as text, never as formulas."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        for row in [header, *rows]:
            sheet.append([None] * len(row))
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=sheet.max_row, column=column)
                safe = safe_cell(value)
                cell.value = safe
                if isinstance(safe, str):
                    cell.data_type = TYPE_STRING
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
