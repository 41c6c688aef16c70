"""Template filters for the public pages."""

from __future__ import annotations

import datetime

from django import template
from django.utils.dateformat import format as date_format

from influence_db.coding.choices import DatePrecision

register = template.Library()

# A date known only to the year is stored as 1 January: print no more than is known.
FORMATS = {
    DatePrecision.DAY: "j F Y",
    DatePrecision.WEEK: "j F Y",
    DatePrecision.MONTH: "F Y",
    DatePrecision.SEASON: "F Y",
    DatePrecision.YEAR: "Y",
    DatePrecision.RANGE: "Y",  # a range is stored as its first and last day
}


@register.filter
def precise(value: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """`value` printed to its precision: "2014", "June 2014", "10 June 2014"."""
    if value is None:
        return ""
    return date_format(value, FORMATS.get(precision, "j F Y"))
