"""Formula escaping, both ways: csvsafe in Python, and the same rule computed by the database.

A cell that starts with = + - @, a TAB or a CR (or the escape mark ' itself) gets one
leading apostrophe; reading strips exactly one. Without hypothesis in the venv, the
round trip is checked on a list of cases from the coded domain plus a seeded random
sample of strings built from the characters that matter.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection

from influence_db.exchange import csvsafe
from influence_db.exchange.sql import Dialect

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CASES = [
    "'Asa'ib Ahl al-Haq",
    "''",
    "'",
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\tTAB",
    "\rCR",
    "\r\n=1",
    "",
    "plain",
    "عصائب أهل الحق",
    "Kata'ib Hezbollah",  # an apostrophe inside is left alone
    " =1",  # not at the start: not a formula
    "\n=1",
    "=",
    "-",
    "1-2",
    "a=b",
    "§3 ¶2",
    '"quoted", with a comma',
]

# Characters that matter (triggers, the escape mark, quotes, separators, line breaks,
# Arabic and Persian letters) and a few ordinary ones.
ALPHABET = "=+-@\t\r\n'\",; aZ09ع ص ئ ب پ ک ی §¶\u200c"


def sample_strings(count: int = 2000, seed: int = 20200103) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8))) for _ in range(count)]


SAMPLES = CASES + sample_strings()


class TestEscape:
    @pytest.mark.parametrize("value", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(1,1)", "\tTAB", "\rCR"])
    def test_a_formula_gets_one_apostrophe(self, value):
        assert csvsafe.escape(value) == "'" + value

    @pytest.mark.parametrize("value", ["'Asa'ib Ahl al-Haq", "''", "'"])
    def test_a_leading_apostrophe_gets_another(self, value):
        assert csvsafe.escape(value) == "'" + value

    @pytest.mark.parametrize("value", ["", "plain", "عصائب أهل الحق", "Kata'ib Hezbollah", " =1", "\n=1", "1-2"])
    def test_anything_else_is_unchanged(self, value):
        assert csvsafe.escape(value) == value

    def test_no_escaped_value_starts_like_a_formula(self):
        for value in SAMPLES:
            assert not csvsafe.escape(value).startswith(FORMULA_STARTS), repr(value)

    def test_escaping_adds_at_most_one_character(self):
        for value in SAMPLES:
            escaped = csvsafe.escape(value)
            assert escaped in (value, "'" + value), repr(value)


class TestUnescape:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("'=1", "=1"),
            ("''Asa'ib Ahl al-Haq", "'Asa'ib Ahl al-Haq"),
            ("''", "'"),
            ("'", ""),
            ("'''", "''"),
            ("plain", "plain"),
            ("", ""),
            ("Kata'ib", "Kata'ib"),
            ("عصائب", "عصائب"),
        ],
    )
    def test_strips_exactly_one_leading_apostrophe(self, value, expected):
        assert csvsafe.unescape(value) == expected

    @pytest.mark.parametrize("value", CASES)
    def test_round_trip(self, value):
        assert csvsafe.unescape(csvsafe.escape(value)) == value

    def test_round_trip_of_random_strings(self):
        for value in sample_strings():
            assert csvsafe.unescape(csvsafe.escape(value)) == value, repr(value)


@pytest.mark.django_db
class TestDatabaseEscapesLikeCsvsafe:
    """The exports escape in SQL (exchange.sql.Dialect.text); it must be the same rule."""

    def test_sql_text_agrees_with_csvsafe(self):
        dialect = Dialect(connection.vendor)
        sql = f"SELECT {dialect.text('v.x')} FROM (SELECT CAST(%s AS TEXT) AS x) v"
        with connection.cursor() as cursor:
            for value in SAMPLES:
                cursor.execute(sql, [value])
                (cell,) = cursor.fetchone()
                # Empty becomes NULL: an empty CSV cell either way.
                assert cell == (csvsafe.escape(value) or None), repr(value)
