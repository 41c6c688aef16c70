"""Keyset pagination for pages and the API: page 5,000 costs what page 1 costs.

DRF's cursor pagination filters on the sort key instead of counting rows or using
OFFSET. There is no total count either: counting a million rows per page is the cost
this avoids. The HTML pages use the same class through `paginate`.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from dataclasses import dataclass
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

MAX_PAGE_SIZE = 200


class KeysetPagination(CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = "This page link is not valid: start again from the first page."

    def get_page_size(self, request: Request) -> int:
        self.page_size = settings.PUBLIC_PAGE_SIZE
        return super().get_page_size(request)

    def get_ordering(self, request: Request, queryset: QuerySet, view) -> tuple[str, ...]:
        # Each list names its order (a unique key last); a view without one sorts by key.
        return tuple(getattr(view, "ordering", None) or self.ordering)

    def decode_cursor(self, request: Request):
        # DRF's decoder skips characters that are not base64 and tokens it does not know,
        # so a mangled link would quietly show page 1; here it is refused instead.
        cursor = super().decode_cursor(request)
        if cursor is None:
            return None
        try:
            text = b64decode(request.query_params[self.cursor_query_param], validate=True).decode("ascii")
            tokens = parse_qs(text, keep_blank_values=True, strict_parsing=True)
        except (binascii.Error, ValueError):
            tokens = {}
        if not tokens or set(tokens) - {"o", "r", "p"} or "\x00" in (cursor.position or ""):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValidationError, ValueError, TypeError, OverflowError):
            # A hand-edited cursor whose position is not a value of the sort field.
            raise NotFound(self.invalid_cursor_message) from None

    ordering = ("key",)


@dataclass
class Page:
    items: list
    next_url: str | None
    previous_url: str | None


def paginate(request: HttpRequest, queryset: QuerySet, ordering: tuple[str, ...]) -> Page:
    """One keyset page of `queryset` for an HTML view; a bad cursor is a 404."""
    paginator = KeysetPagination()
    paginator.ordering = ordering
    try:
        items = paginator.paginate_queryset(queryset, Request(request))
    except NotFound as exc:
        raise Http404(str(exc.detail)) from None
    return Page(
        items=items,
        next_url=paginator.get_next_link(),
        previous_url=paginator.get_previous_link(),
    )
