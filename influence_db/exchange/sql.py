"""SQL fragments that render a value as CSV text the same way on PostgreSQL and SQLite.

Exports are computed by the database: on PostgreSQL the rows leave through
`COPY … TO STDOUT`, on SQLite through a cursor, and the two must give the same bytes.
So every column is text or NULL by the time it leaves the database (NULL for an empty
value, because COPY quotes an empty string), lists are joined in a fixed byte order,
and timestamps are formatted explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

from influence_db.exchange.csvsafe import TRIGGERS

# The first characters that get an apostrophe, as SQL literals (TAB and CR included).
_TRIGGER_LITERALS = ", ".join("'" + char.replace("'", "''") + "'" for char in TRIGGERS)

LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Dialect:
    vendor: str
    # For the inner query of a two-level select (see Dataset.select): text() only casts,
    # and the outer query escapes each column once it is a plain value.
    raw_text: bool = False

    @property
    def is_postgres(self) -> bool:
        return self.vendor == "postgresql"

    def bytewise(self, expr: str) -> str:
        """Order by bytes, whatever the database's collation (PostgreSQL's en_US ignores hyphens)."""
        return f'{expr} COLLATE "C"' if self.is_postgres else expr

    def text(self, expr: str) -> str:
        """A column as CSV text: formula-escaped, NULL when empty."""
        value = f"CAST({expr} AS TEXT)"
        return value if self.raw_text else self.escaped(value)

    @staticmethod
    def escaped(value: str) -> str:
        """`value` (text) formula-escaped, NULL when empty. It names `value` three times, so a
        subquery there would run three times: hence the two-level select on PostgreSQL."""
        escaped = f"CASE WHEN SUBSTR({value}, 1, 1) IN ({_TRIGGER_LITERALS}) THEN '''' || {value} ELSE {value} END"
        return f"NULLIF({escaped}, '')"

    def boolean(self, expr: str) -> str:
        return f"CASE WHEN {expr} THEN 'true' ELSE 'false' END"

    def timestamp(self, expr: str) -> str:
        # Seconds, UTC, ISO 8601: what both databases can print alike.
        if self.is_postgres:
            return f"""to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
        # %% because the SQL goes through the driver's parameter formatting.
        return f"strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {expr})"

    def joined(self, value: str, from_where: str) -> str:
        """`value` of every row of `from_where`, in byte order, joined with "; "."""
        if self.is_postgres:
            return f"(SELECT string_agg({value}, '{LIST_SEPARATOR}' ORDER BY {value} COLLATE \"C\") {from_where})"
        # SQLite's group_concat keeps the order of an ordered subquery.
        return f"(SELECT group_concat(v, '{LIST_SEPARATOR}') FROM (SELECT {value} AS v {from_where} ORDER BY v))"

    def creators(self, column: str) -> str:
        """CSL names as "Family, Given; Literal", in their stored order, like models.format_creator."""
        if self.is_postgres:
            literal, family, given = (f"NULLIF(e->>'{part}', '')" for part in ("literal", "family", "given"))
            name = f"COALESCE({literal}, NULLIF(concat_ws(', ', {family}, {given}), ''))"
            return (
                f"(SELECT string_agg({name}, '{LIST_SEPARATOR}' ORDER BY n) "
                f"FROM jsonb_array_elements({column}) WITH ORDINALITY AS x(e, n))"
            )
        literal, family, given = (
            f"NULLIF(json_extract(value, '$.{part}'), '')" for part in ("literal", "family", "given")
        )
        both = f"CASE WHEN {family} IS NOT NULL AND {given} IS NOT NULL THEN ', ' ELSE '' END"
        name = f"COALESCE({literal}, NULLIF(COALESCE({family}, '') || {both} || COALESCE({given}, ''), ''))"
        ordered = f"SELECT {name} AS v FROM json_each({column}) ORDER BY key"
        return f"(SELECT group_concat(v, '{LIST_SEPARATOR}') FROM ({ordered}))"
