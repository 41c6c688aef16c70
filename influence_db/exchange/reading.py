"""Reading an uploaded CSV file, refusing it whole when it is not what it says.

Checks that need the whole file come before any row is imported: the encoding, the
header, duplicate keys. Every problem is reported with where it is, so a coder can fix
the file in one pass.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import tablib

from influence_db.exchange.csvsafe import unescape

BOM = "\ufeff"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file. `row` counts the header as row 1, like a spreadsheet."""

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    file: str | None = None

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.value not in (None, ""):
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "…"
            where.append(f"value “{shown}”")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRefused(Exception):
    """The file was not imported; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class Sheet:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    # The spreadsheet row number of each row (blank lines are skipped, quoted cells span lines).
    numbers: list[int] = field(default_factory=list)

    def as_dataset(self) -> tablib.Dataset:
        return tablib.Dataset(*self.rows, headers=self.headers)


def decode(data: bytes) -> str:
    if not data.strip():
        raise ImportRefused([Problem("The file is empty.")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = _guess_encoding(data)
        raise ImportRefused(
            [
                Problem(
                    f"The file is not UTF-8 (byte 0x{data[exc.start]:02X} on line {line}){guess}. "
                    "Save it again as “CSV UTF-8” and import that."
                )
            ]
        ) from None
    return text.removeprefix(BOM)


def _guess_encoding(data: bytes) -> str:
    # Arabic and Persian text saved by Excel on Windows is Windows-1256, Western text
    # Windows-1252. Arabic words are runs of high bytes; Western text has a high byte
    # here and there inside ASCII words ("Política").
    high = [index for index, byte in enumerate(data) if byte >= 0x80]
    if not high:
        return ""
    positions = set(high)
    in_runs = sum(1 for index in high if index - 1 in positions or index + 1 in positions)
    return "; it looks like Windows-1256 (Arabic)" if in_runs / len(high) > 0.5 else "; it looks like Windows-1252"


def read(data: bytes, *, required: list[str], optional: list[str], allow_empty: bool = False) -> Sheet:
    """Parse a CSV file; a file that cannot be read (encoding, header, shape) is refused here.
    Formula escaping is undone on every cell. Cell values are checked later, by the models."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportRefused([Problem("The file is empty.")]) from None
    problems = _check_header(headers, required, optional)
    if problems:
        raise ImportRefused(problems)
    sheet = Sheet(headers)
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave them at the end
        if len(cells) != len(headers):
            raise ImportRefused([Problem(f"{len(cells)} cells where the header has {len(headers)}.", row=number)])
        # Stripped as Django's forms strip, so "   " is as empty here as in the admin.
        sheet.rows.append([unescape(cell.strip()) for cell in cells])
        sheet.numbers.append(number)
    if not sheet.rows and not allow_empty:
        raise ImportRefused([Problem("The file has a header but no rows.")])
    return sheet


def _check_header(headers: list[str], required: list[str], optional: list[str]) -> list[Problem]:
    problems = []
    missing = [name for name in required if name not in headers]
    if missing:
        problems.append(Problem(f"Required columns missing: {', '.join(missing)}.", row=1))
    known = set(required) | set(optional)
    unknown = [name for name in headers if name not in known]
    if unknown:
        problems.append(
            Problem(
                f"Unknown columns: {', '.join(unknown)}. The columns are: {', '.join([*required, *optional])}.",
                row=1,
            )
        )
    repeated = sorted({name for name in headers if headers.count(name) > 1})
    if repeated:
        problems.append(Problem(f"Columns appear twice: {', '.join(repeated)}.", row=1))
    return problems


def duplicate_problems(sheet: Sheet, column: str) -> list[Problem]:
    """A key may appear once in a file: a second row for it is almost always a mistake."""
    index = sheet.headers.index(column)
    first_seen: dict[str, int] = {}
    problems = []
    for number, cells in zip(sheet.numbers, sheet.rows, strict=True):
        key = cells[index].strip()
        if not key:
            continue
        if key in first_seen:
            problems.append(Problem(f"the same key as row {first_seen[key]}.", row=number, column=column, value=key))
        else:
            first_seen[key] = number
    return problems
