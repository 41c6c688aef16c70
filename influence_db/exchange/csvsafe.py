"""Spreadsheet formula injection, both ways.

A cell that a spreadsheet would read as a formula (it starts with = + - @, a TAB or a
CR) is written with a leading apostrophe, which Excel, LibreOffice and Google Sheets
all take as "this is text". A value that itself starts with an apostrophe is escaped
the same way, so that reading back is exact: strip one apostrophe, if there is one.
Transliterated Arabic names often start with one ("'Asa'ib Ahl al-Haq").
"""

from __future__ import annotations

# The characters, including the escape mark itself, that get a leading apostrophe.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def escape(value: str) -> str:
    return f"'{value}" if value.startswith(TRIGGERS) else value


def unescape(value: str) -> str:
    return value[1:] if value.startswith("'") else value
