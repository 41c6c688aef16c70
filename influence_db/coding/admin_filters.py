"""Changelist filters that stay cheap on a table of a million claims."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from influence_db.coding import models
from influence_db.coding.querysets import count_up_to

# The admin never counts more rows than this: a list that long is narrowed with filters
# or search, not paged through, and counting a whole table costs seconds.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so no page counts the table."""

    @cached_property
    def count(self) -> int:
        # Claims know a cheaper way to count a search (ClaimQuerySet.capped_count).
        capped_count = getattr(self.object_list, "capped_count", None)
        return capped_count(COUNT_CAP) if capped_count else count_up_to(self.object_list, COUNT_CAP)

    @property
    def capped(self) -> bool:
        """Whether counting stopped at the cap: there may be more (the templates say "or more")."""
        return self.count >= COUNT_CAP


class KeyFieldListFilter(admin.FieldListFilter):
    """A text box for a relation with thousands of records (sources, actors).

    Listing every source in the sidebar, or only those in use (related_only), costs a
    query over the whole table on every page; a key typed into a box costs nothing. Actors
    are also found by name or alias.
    """

    template = "admin/coding/key_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path) -> None:
        self.parameter_name = f"{field_path}__key"
        self.related_model = field.related_model
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"{field.related_model._meta.verbose_name} (key)"

    def expected_parameters(self) -> list[str]:
        return [self.parameter_name]

    def has_output(self) -> bool:
        return True

    def value(self) -> str:
        value = self.used_parameters.get(self.parameter_name) or ""
        return (value[-1] if isinstance(value, list) else value).strip()

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        condition = Q(**{f"{self.field_path}__key": value})
        if self.related_model is models.Actor:
            condition |= Q(**{f"{self.field_path}__in": models.Actor.objects.named(value)})
        return queryset.filter(condition)

    def choices(self, changelist):
        # One "choice": the box, with the list's other parameters kept as hidden fields.
        kept = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        yield {"name": self.parameter_name, "value": self.value(), "kept": kept}


class KeyFilterLookupsMixin:
    """Lets the admin accept a KeyFieldListFilter's parameter (`<relation>__key`).

    The admin allows a lookup across relations only when it matches a list_filter entry
    exactly, and the key filter's parameter goes one field further than its entry.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        keyed = {
            f"{item[0]}__key"
            for item in self.get_list_filter(request)
            if isinstance(item, tuple) and item[1] is KeyFieldListFilter
        }
        return lookup in keyed or super().lookup_allowed(lookup, value, request)
