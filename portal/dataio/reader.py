"""Read an uploaded CSV or XLSX into a header and rows, refusing hostile files politely.

The standard library's csv module and openpyxl (read-only) do the parsing; this module only
sets limits around them: file size, uncompressed size of a workbook, rows, columns, cell size.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..core.unitofwork import RuleError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # a workbook that inflates past this is refused
MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_CELL = 32_767  # what a spreadsheet cell holds; the text limit is checked per row later
EXTENSIONS = (".csv", ".xlsx")


class FileProblem(RuleError):
    """The file as a whole cannot be read; the message says what to do."""


@dataclass
class Table:
    """A file's header and its rows, each row a list of cells (str, datetime, date, number)."""

    header: list[str]
    rows: list[list[Any]]
    # The row number a person sees in a spreadsheet for each row (the header is row 1).
    numbers: list[int]


def kind_of(filename: str) -> str:
    """Return "csv" or "xlsx" from a file name, or raise FileProblem."""
    lower = filename.lower().strip()
    for extension in EXTENSIONS:
        if lower.endswith(extension):
            return extension[1:]
    raise FileProblem("The selected file must be a CSV or XLSX file")


def read_table(content: bytes, kind: str) -> Table:
    """Parse a file into a Table, or raise FileProblem with a message for the person."""
    if not content.strip():
        raise FileProblem("The selected file is empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileProblem("The selected file must be smaller than 5 MB")
    raw = _read_csv(content) if kind == "csv" else _read_xlsx(content)
    return _table(raw)


def _read_csv(content: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileProblem(
            "The selected file must be saved as CSV UTF-8 (in Excel: Save as, CSV UTF-8)"
        ) from error
    if "\x00" in text:
        raise FileProblem("The selected file is not a CSV file: it contains binary data")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[int, list[Any]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row in reader:
            rows.append((len(rows) + 1, list(row)))
            if len(rows) > MAX_ROWS + 1:
                raise FileProblem(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    except csv.Error as error:
        raise FileProblem(
            f"The selected file could not be read as CSV (line {reader.line_num}): "
            "check it is saved as CSV UTF-8"
        ) from error
    return rows


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    unreadable = FileProblem("The selected file could not be read as an XLSX workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > 500 or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
                raise FileProblem("The selected workbook is too large once unpacked")
    except zipfile.BadZipFile as error:
        raise unreadable from error
    rows: list[tuple[int, list[Any]]] = []
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001  (openpyxl raises many kinds for a broken file)
        raise unreadable from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileProblem("The selected workbook has no worksheet")
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, list(row)[: MAX_COLUMNS + 1]))
            if len(rows) > MAX_ROWS + 1:
                raise FileProblem(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    except FileProblem:
        raise
    except Exception as error:  # noqa: BLE001
        raise unreadable from error
    finally:
        workbook.close()
    return rows


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if len(text) > MAX_CELL:
        raise FileProblem(f"A cell of the selected file is longer than {MAX_CELL:,} characters")
    return text


def _blank(row: list[Any]) -> bool:
    return all(isinstance(v, str) and not v.strip() for v in row)


def _table(raw: list[tuple[int, list[Any]]]) -> Table:
    raw = [(n, [_cell(v) for v in row]) for n, row in raw]
    while raw and _blank(raw[0][1]):
        raw.pop(0)
    if not raw:
        raise FileProblem("The selected file is empty")
    _, header_cells = raw[0]
    if len(header_cells) > MAX_COLUMNS:
        raise FileProblem(f"The selected file must have {MAX_COLUMNS} columns or fewer")
    header = [
        str(h).strip() if not isinstance(h, datetime | date) else str(h) for h in header_cells
    ]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem("The first row of the selected file must name its columns")
    rows, numbers = [], []
    for number, row in raw[1:]:
        if _blank(row):
            continue
        cells = (row + [""] * len(header))[: len(header)]
        rows.append(cells)
        numbers.append(number)
    if not rows:
        raise FileProblem("The selected file has no rows below its header row")
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    return Table(header, rows, numbers)
