"""The coders' admin: columns to scan by, filters, alias-aware search, inlines where
the work happens. Writes go through services; reads through named querysets."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from influence_db.coding import models
from influence_db.coding.forms import SourceForm
from influence_db.coding.services import record_save

related_only = admin.RelatedOnlyFieldListFilter

REVIEW_FIELDS = ("status", "submitted_at", "reviewed_by", "reviewed_at", "review_comment")
RECORD_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")


def system_fieldsets() -> list[tuple[str, dict[str, object]]]:
    return [
        ("Internal", {"fields": ("key", "notes")}),
        ("Review", {"fields": REVIEW_FIELDS, "classes": ("collapse",)}),
        ("Record", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    ]


def short(text: str, length: int = 90) -> str:
    return Truncator(text).chars(length)


class CodedRecordAdmin(SimpleHistoryAdmin):
    """Shared by the main records: system fields are read-only, saves stamp the user."""

    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).for_changelist()

    def get_readonly_fields(self, request: HttpRequest, obj: models.CodedRecord | None = None) -> tuple[str, ...]:
        # A key names the record in URLs and CSV files: chosen once, then fixed.
        fixed_key = ("key",) if obj is not None else ()
        return (*fixed_key, *REVIEW_FIELDS, *RECORD_FIELDS)

    def save_model(self, request: HttpRequest, obj: models.CodedRecord, form: object, change: bool) -> None:
        record_save(record=obj, user=request.user)


# --- Inlines -------------------------------------------------------------------


class CitationInline(admin.StackedInline):
    # Citation has one foreign key per possible owner, so the same inline serves
    # claims, events and actor relations.
    model = models.Citation
    fields = ("source", "locator_type", "locator", "quote", "as_cited_in")
    autocomplete_fields = ("source", "as_cited_in")
    extra = 1


class ClaimAssumptionInline(admin.TabularInline):
    model = models.ClaimAssumption
    fields = ("assumption", "relation", "attribution", "rationale")
    autocomplete_fields = ("assumption",)
    extra = 0
    verbose_name = "theory assumption link"


class ClaimRelationInline(admin.TabularInline):
    model = models.ClaimRelation
    fk_name = "claim"
    fields = ("relation_type", "other", "note")
    autocomplete_fields = ("other",)
    extra = 0
    verbose_name = "related claim"


class ActorAliasInline(admin.TabularInline):
    model = models.ActorAlias
    fields = ("name", "alias_type", "language", "script")
    extra = 1


class ActorRelationInline(admin.TabularInline):
    model = models.ActorRelation
    fk_name = "subject"
    fields = ("relation_type", "object", "start", "start_precision", "end", "end_precision")
    autocomplete_fields = ("object",)
    extra = 0
    show_change_link = True  # citations for a relation are added on its own page


class EventParticipantInline(admin.TabularInline):
    model = models.EventParticipant
    fields = ("actor", "role")
    autocomplete_fields = ("actor",)
    extra = 1


class SourceLinkInline(admin.TabularInline):
    model = models.SourceLink
    fk_name = "citing"
    fields = ("cited", "footnote", "locator", "relation")
    autocomplete_fields = ("cited",)
    extra = 0
    verbose_name = "cited work"


# --- Main records --------------------------------------------------------------


@admin.register(models.Source)
class SourceAdmin(CodedRecordAdmin):
    form = SourceForm
    list_display = ("key", "short_title", "creators_display", "csl_type", "issued", "container_title", "status")
    list_filter = ("status", "csl_type", "is_coded_document", "language", ("created_by", related_only))
    search_fields = ("key", "title", "container_title", "publisher", "doi")
    fieldsets = [
        (None, {"fields": ("csl_type", "title", "creators", "is_coded_document")}),
        (
            "Publication",
            {
                "fields": (
                    ("issued", "issued_precision"),
                    "container_title",
                    ("publisher", "publisher_place"),
                    ("volume", "issue", "pages"),
                    "language",
                    "outlet_affiliation",
                )
            },
        ),
        ("Where to find it", {"fields": ("url", "doi", "accessed")}),
        *system_fieldsets(),
    ]
    inlines = [SourceLinkInline]

    @admin.display(description="title", ordering="title")
    def short_title(self, obj: models.Source) -> str:
        return short(obj.title, 70)

    @admin.display(description="creators")
    def creators_display(self, obj: models.Source) -> str:
        return short(obj.creators_display, 50)


@admin.register(models.Actor)
class ActorAdmin(CodedRecordAdmin):
    list_display = ("key", "name", "kind", "sector", "country", "parent", "alias_count", "status")
    list_filter = ("status", "kind", "sector", "country", ("created_by", related_only))
    # Aliases make "Quds Force" find the Qods Force and "Hashd al-Shaabi" the PMU.
    search_fields = ("key", "name", "aliases__name", "description")
    autocomplete_fields = ("parent",)
    fieldsets = [
        (None, {"fields": ("name", "kind", "sector", "country", "parent")}),
        ("About", {"fields": ("description", ("active_from", "active_to"), "wikidata_qid")}),
        *system_fieldsets(),
    ]
    inlines = [ActorAliasInline, ActorRelationInline]

    @admin.display(description="aliases", ordering="alias_count")
    def alias_count(self, obj: models.Actor) -> int:
        return obj.alias_count


@admin.register(models.Event)
class EventAdmin(CodedRecordAdmin):
    list_display = ("key", "date_start", "title", "event_type", "date_precision", "participant_names", "status")
    list_filter = (
        "status",
        "event_type",
        "date_precision",
        ("participants", related_only),
        ("citations__source", related_only),
        ("created_by", related_only),
    )
    search_fields = ("key", "title", "date_as_written", "location", "description")
    date_hierarchy = "date_start"
    fieldsets = [
        (None, {"fields": ("title", "event_type", "description")}),
        ("When", {"fields": ("date_as_written", ("date_start", "date_end"), "date_precision")}),
        ("Where", {"fields": ("location", "country")}),
        *system_fieldsets(),
    ]
    inlines = [EventParticipantInline, CitationInline]

    @admin.display(description="participants")
    def participant_names(self, obj: models.Event) -> str:
        return short(", ".join(p.actor.name for p in obj.event_participants.all()), 60)


@admin.register(models.Theme)
class ThemeAdmin(CodedRecordAdmin):
    list_display = ("key", "name", "kind", "source", "status")
    list_filter = ("status", "kind", ("source", related_only))
    list_select_related = ("source",)
    search_fields = ("key", "name", "description")
    autocomplete_fields = ("source",)
    fieldsets = [(None, {"fields": ("kind", "name", "description", "source")}), *system_fieldsets()]


@admin.register(models.TheoryAssumption)
class TheoryAssumptionAdmin(CodedRecordAdmin):
    list_display = ("code", "label", "branch", "parent", "status")
    list_filter = ("status", "theory", "branch")
    list_select_related = ("parent",)
    search_fields = ("key", "code", "label", "statement", "proponents")
    autocomplete_fields = ("source", "parent")
    fieldsets = [
        (None, {"fields": ("theory", "branch", "code", "label", "statement", "parent")}),
        ("Its own citation", {"fields": ("proponents", "source", "source_locator")}),
        *system_fieldsets(),
    ]


@admin.register(models.Claim)
class ClaimAdmin(CodedRecordAdmin):
    list_display = (
        "key",
        "short_statement",
        "kind",
        "modality",
        "cited_at",
        "theme_names",
        "confidence",
        "status",
        "created_by",
    )
    list_filter = (
        "status",
        "kind",
        "modality",
        "confidence",
        ("themes", related_only),
        ("citations__source", related_only),
        ("assumptions", related_only),
        ("actors", related_only),
        ("created_by", related_only),
    )
    # Coders remember either their paraphrase or the source's words.
    search_fields = ("key", "statement", "citations__quote")
    autocomplete_fields = ("attributed_to", "actors", "events", "themes")
    fieldsets = [
        ("What the source says", {"fields": ("statement", "kind", "modality", "attributed_to", "confidence")}),
        ("What it is about", {"fields": ("actors", "events", "themes", ("period_start", "period_end"))}),
        *system_fieldsets(),
    ]
    inlines = [CitationInline, ClaimAssumptionInline, ClaimRelationInline]

    @admin.display(description="statement", ordering="statement")
    def short_statement(self, obj: models.Claim) -> str:
        return short(obj.statement)

    @admin.display(description="cited at")
    def cited_at(self, obj: models.Claim) -> str:
        return "; ".join(f"{c.source.key} {c.locator}" for c in obj.citations.all())

    @admin.display(description="themes")
    def theme_names(self, obj: models.Claim) -> str:
        return ", ".join(theme.name for theme in obj.themes.all())


# --- Links, for the cases where a coder looks for one directly -------------------


class LinkAdmin(SimpleHistoryAdmin):
    list_per_page = 100


@admin.register(models.SourceLink)
class SourceLinkAdmin(LinkAdmin):
    list_display = ("citing", "cited", "footnote", "locator", "relation")
    list_filter = ("relation", ("citing", related_only))
    list_select_related = ("citing", "cited")
    search_fields = ("citing__key", "citing__title", "cited__key", "cited__title", "locator")
    autocomplete_fields = ("citing", "cited")


@admin.register(models.ActorAlias)
class ActorAliasAdmin(LinkAdmin):
    list_display = ("name", "actor", "alias_type", "language", "script")
    list_filter = ("alias_type", "language", "script")
    list_select_related = ("actor",)
    search_fields = ("name", "actor__name", "actor__key")
    autocomplete_fields = ("actor",)


@admin.register(models.ActorRelation)
class ActorRelationAdmin(LinkAdmin):
    list_display = ("subject", "relation_type", "object", "start", "end")
    list_filter = ("relation_type",)
    list_select_related = ("subject", "object")
    search_fields = ("subject__name", "subject__aliases__name", "object__name", "object__aliases__name")
    autocomplete_fields = ("subject", "object")
    fields = (
        "subject",
        "relation_type",
        "object",
        ("start", "start_precision"),
        ("end", "end_precision"),
        "notes",
    )
    inlines = [CitationInline]


@admin.register(models.EventParticipant)
class EventParticipantAdmin(LinkAdmin):
    list_display = ("event", "actor", "role")
    list_filter = ("role",)
    list_select_related = ("event", "actor")
    search_fields = ("event__title", "event__key", "actor__name", "actor__aliases__name")
    autocomplete_fields = ("event", "actor")


@admin.register(models.Citation)
class CitationAdmin(LinkAdmin):
    list_display = ("source", "locator_type", "locator", "short_quote", "target")
    list_filter = ("locator_type", ("source", related_only))
    list_select_related = ("source", "claim", "event", "actor_relation__subject", "actor_relation__object")
    search_fields = ("quote", "locator", "source__key", "source__title")
    autocomplete_fields = ("source", "as_cited_in", "claim", "event", "actor_relation")
    fields = ("source", "locator_type", "locator", "quote", "as_cited_in", "claim", "event", "actor_relation")

    @admin.display(description="quote")
    def short_quote(self, obj: models.Citation) -> str:
        return short(obj.quote, 80)

    @admin.display(description="cited for")
    def target(self, obj: models.Citation) -> str:
        return str(obj.claim or obj.event or obj.actor_relation)


@admin.register(models.ClaimRelation)
class ClaimRelationAdmin(LinkAdmin):
    list_display = ("claim", "relation_type", "other")
    list_filter = ("relation_type",)
    list_select_related = ("claim", "other")
    search_fields = ("claim__key", "claim__statement", "other__key", "other__statement")
    autocomplete_fields = ("claim", "other")


@admin.register(models.ClaimAssumption)
class ClaimAssumptionAdmin(LinkAdmin):
    list_display = ("claim", "relation", "assumption", "attribution")
    list_filter = ("relation", "attribution", ("assumption", related_only))
    list_select_related = ("claim", "assumption")
    search_fields = ("claim__key", "claim__statement", "assumption__code", "rationale")
    autocomplete_fields = ("claim", "assumption")
