"""The coders' admin: columns to scan by, filters, alias-aware search, inlines where
the work happens, and the review workflow as actions. Writes go through services;
reads through named querysets; who may change what is decided by coding.policy."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.text import Truncator, smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin

from influence_db.coding import models, policy, services
from influence_db.coding.admin_filters import CappedCountPaginator, KeyFieldListFilter, KeyFilterLookupsMixin
from influence_db.coding.choices import LocatorType, Status
from influence_db.coding.forms import ActorAliasFormSet, CodedRecordForm, ReturnForm, ReviewForm, SourceForm
from influence_db.exchange.admin import CsvExportMixin

related_only = admin.RelatedOnlyFieldListFilter
# For relations with thousands of records: a box for a key, not a list of every record.
by_key = KeyFieldListFilter

REVIEW_FIELDS = ("status", "submitted_at", "reviewed_by", "reviewed_at", "review_comment")
RECORD_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")


def system_fieldsets() -> list[tuple[str, dict[str, object]]]:
    return [
        ("Internal", {"fields": ("key", "notes", "loaded_version")}),
        ("Review", {"fields": REVIEW_FIELDS}),
        ("Record", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    ]


def short(text: str, length: int = 90) -> str:
    return Truncator(text).chars(length)


class ReviewQueueFilter(admin.SimpleListFilter):
    """The coder's and the supervisor's own view of the workflow."""

    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        choices = [("returned", "Returned to me"), ("drafts", "My drafts"), ("mine", "Submitted by me")]
        if policy.can_review(request.user, model_admin.model):
            choices.insert(0, ("awaiting", "Awaiting my review"))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        mine = queryset.filter(created_by=request.user)
        match self.value():
            case "awaiting":
                return queryset.awaiting_review()
            case "returned":
                return mine.filter(status=Status.RETURNED)
            case "drafts":
                return mine.filter(status=Status.DRAFT)
            case "mine":
                return mine.filter(status=Status.SUBMITTED)
        return queryset


class OwnedRecordMixin:
    """Object-level permissions from coding.policy on top of the model permissions."""

    def _may(self, request: HttpRequest, obj: object, action: str) -> bool:
        check = policy.can_delete if action == "delete" else policy.can_change
        return check(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._may(request, obj, "change"))

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._may(request, obj, "delete"))


class OwnedInlineMixin(OwnedRecordMixin):
    """An inline's rows are part of the parent record (`obj` here): editable when it is."""

    def _may(self, request: HttpRequest, obj: object, action: str) -> bool:
        return policy.can_change(request.user, obj)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or self._may(request, obj, "add"))


class AuditedAdminMixin:
    """Every admin write leaves a history row with a reason, cascades included; history
    is for reading: reverting to an old version would bypass the review workflow."""

    def save_formset(self, request: HttpRequest, form: object, formset: object, change: bool) -> None:
        parent = form.instance
        for instance in formset.save(commit=False):
            instance._change_reason = f"Edited with {parent._meta.verbose_name} {parent} in the admin"
            instance.save()
        for instance in formset.deleted_objects:
            services.record_delete(
                record=instance,
                user=request.user,
                reason=f"Removed from {parent._meta.verbose_name} {parent} in the admin",
            )
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: object) -> None:
        services.record_delete(record=obj, user=request.user, reason="Deleted in the admin")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # One by one, so that each deletion is in the history with its reason.
        for obj in queryset:
            self.delete_model(request, obj)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Old versions can be read, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class CodedRecordAdmin(KeyFilterLookupsMixin, CsvExportMixin, AuditedAdminMixin, OwnedRecordMixin, SimpleHistoryAdmin):
    """Shared by the main records: system fields are read-only, saves go through services."""

    form = CodedRecordForm
    change_form_template = "admin/coding/review_change_form.html"
    list_per_page = 50
    # No page counts the whole table (see admin_filters.COUNT_CAP).
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["submit_for_review", "approve", "return_with_comment"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).for_changelist()

    def get_list_filter(self, request: HttpRequest) -> tuple[object, ...]:
        return (ReviewQueueFilter, *super().get_list_filter(request))

    def get_ordering(self, request: HttpRequest) -> list[str]:
        # The review queue is cleared oldest first.
        if request.GET.get(ReviewQueueFilter.parameter_name) == "awaiting":
            return ["submitted_at", "pk"]
        return super().get_ordering(request)

    def get_readonly_fields(self, request: HttpRequest, obj: models.CodedRecord | None = None) -> tuple[str, ...]:
        # A key names the record in URLs and CSV files: chosen once, then fixed.
        fixed_key = ("key",) if obj is not None else ()
        return (*fixed_key, *REVIEW_FIELDS, *RECORD_FIELDS)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return policy.can_review(request.user, self.model)

    def save_model(self, request: HttpRequest, obj: models.CodedRecord, form: object, change: bool) -> None:
        if change:
            obj.version = form.cleaned_data["loaded_version"]
        services.record_save(record=obj, user=request.user, reason=self._reason(form, change))

    @staticmethod
    def _reason(form: object, change: bool) -> str:
        if not change:
            return "Added in the admin"
        changed = [name for name in form.changed_data if name != "loaded_version"]
        return f"Changed {', '.join(changed)} in the admin" if changed else "Saved in the admin"

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        record = self.get_object(request, unquote(object_id)) if request.method == "GET" and object_id else None
        if record is not None:
            extra_context = {**(extra_context or {}), **self._review_context(request, record)}
            self._tell_about_return(request, record)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.RecordChangedError as exc:
            # Lost the race between the form's version check and the save: nothing was written.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _tell_about_return(self, request: HttpRequest, record: models.CodedRecord) -> None:
        if record.status == Status.RETURNED:
            when = record.reviewed_at.strftime("%Y-%m-%d") if record.reviewed_at else ""
            self.message_user(
                request,
                f"Returned by {record.reviewed_by} on {when}: “{record.review_comment}”",
                messages.WARNING,
            )

    # --- Review from the record's page: decide, then on to the next in the queue ---

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_review"
        review = path("<path:object_id>/review/", self.admin_site.admin_view(self.review_view), name=name)
        return [review, *super().get_urls()]

    def _url(self, view: str, record: models.CodedRecord | None = None) -> str:
        args = [quote(record.pk)] if record is not None else []
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def queue_url(self) -> str:
        """The review queue of this kind of record: submitted, oldest first."""
        return f"{self._url('changelist')}?{ReviewQueueFilter.parameter_name}=awaiting"

    def _review_context(self, request: HttpRequest, record: models.CodedRecord) -> dict[str, object]:
        if record.status != Status.SUBMITTED or not self.has_review_permission(request):
            return {}
        return {
            "review_form": ReviewForm(prefix="review", initial={"loaded_version": record.version}),
            "review_url": self._url("review", record),
        }

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_review_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            raise Http404(f"No {self.opts.verbose_name} has the id {object_id}.")
        change_url = self._url("change", record)
        form = ReviewForm(request.POST, prefix="review")
        if not form.is_valid() or not {"approve", "return"} & set(request.POST):
            self.message_user(request, "That review form was incomplete: nothing was changed.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        record.version = form.cleaned_data["loaded_version"]
        try:
            if "approve" in request.POST:
                services.record_approve(record=record, user=request.user)
                done = "Approved"
            else:
                services.record_return(record=record, user=request.user, comment=form.cleaned_data["comment"])
                done = "Returned"
        except services.RecordChangedError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(change_url)
        except services.WorkflowError as exc:
            self.message_user(request, f"{exc}: nothing was changed.", messages.ERROR)
            return HttpResponseRedirect(change_url)
        return self._next_in_queue(request, f"{done} {self.opts.verbose_name} {record}.")

    def _next_in_queue(self, request: HttpRequest, done: str) -> HttpResponse:
        following = self.model._default_manager.awaiting_review().first()
        if following is None:
            self.message_user(request, f"{done} Nothing else awaits review.", messages.SUCCESS)
            return HttpResponseRedirect(self.queue_url())
        self.message_user(request, f"{done} Next in the queue: {following}.", messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", following))

    # --- Review actions ---

    def _report(self, request: HttpRequest, verb: str, done: int, refused: list[str]) -> None:
        opts = self.model._meta
        message = f"{verb} {done} {opts.verbose_name if done == 1 else opts.verbose_name_plural}"
        if refused:
            message += f"; {len(refused)} left as they were: " + "; ".join(reason.rstrip(".") for reason in refused[:5])
            if len(refused) > 5:
                message += f"; and {len(refused) - 5} more"
        self.message_user(request, message + ".", messages.WARNING if refused else messages.SUCCESS)

    @admin.action(description="Submit for review", permissions=["change"])
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        done, refused = services.records_transition(queryset, user=request.user, service=services.record_submit)
        self._report(request, "Submitted", done, refused)

    @admin.action(description="Approve", permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        done, refused = services.records_transition(queryset, user=request.user, service=services.record_approve)
        self._report(request, "Approved", done, refused)

    @admin.action(description="Return with comment", permissions=["review"])
    def return_with_comment(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done, refused = services.records_transition(
                queryset, user=request.user, service=services.record_return, comment=form.cleaned_data["comment"]
            )
            self._report(request, "Returned", done, refused)
            return None
        if "apply" in request.POST:
            self.message_user(request, "Nothing was returned: write a comment for the coder.", messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Return {self.model._meta.verbose_name_plural} with a comment",
            "opts": self.model._meta,
            "records": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/coding/return_with_comment.html", context)


# --- Inlines -------------------------------------------------------------------


class CitationInline(OwnedInlineMixin, admin.StackedInline):
    # Citation has one foreign key per possible owner, so the same inline serves
    # claims, events and actor relations.
    model = models.Citation
    fields = ("source", "locator_type", "locator", "quote", "as_cited_in")
    autocomplete_fields = ("source", "as_cited_in")
    extra = 1


class ClaimAssumptionInline(OwnedInlineMixin, admin.TabularInline):
    model = models.ClaimAssumption
    fields = ("assumption", "relation", "attribution", "rationale")
    autocomplete_fields = ("assumption",)
    extra = 0
    verbose_name = "theory assumption link"


class ClaimRelationInline(OwnedInlineMixin, admin.TabularInline):
    model = models.ClaimRelation
    fk_name = "claim"
    fields = ("relation_type", "other", "note")
    autocomplete_fields = ("other",)
    extra = 0
    verbose_name = "related claim"


class ActorAliasInline(OwnedInlineMixin, admin.TabularInline):
    model = models.ActorAlias
    formset = ActorAliasFormSet
    fields = ("name", "alias_type", "language", "script")
    extra = 1


class ActorRelationInline(OwnedInlineMixin, admin.TabularInline):
    model = models.ActorRelation
    fk_name = "subject"
    fields = ("relation_type", "object", "start", "start_precision", "end", "end_precision")
    autocomplete_fields = ("object",)
    extra = 0
    show_change_link = True  # citations for a relation are added on its own page


class EventParticipantInline(OwnedInlineMixin, admin.TabularInline):
    model = models.EventParticipant
    fields = ("actor", "role")
    autocomplete_fields = ("actor",)
    extra = 1


class SourceLinkInline(OwnedInlineMixin, admin.TabularInline):
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
    list_filter = ("status", "csl_type", "is_coded_document", "language", "created_by")
    # creators is CSL JSON; its text holds the names, so "Waltz" finds Waltz 1979.
    search_fields = ("key", "title", "creators", "container_title", "publisher", "doi")
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
    list_filter = ("status", "kind", "sector", "country", "created_by")
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
        ("participants", by_key),
        ("citations__source", by_key),
        "created_by",
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
        "themes",
        ("citations__source", by_key),
        "assumptions",
        ("actors", by_key),
        "created_by",
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

    # Coding a report is claim after claim from one source. A new claim's citation can start
    # on a source (?source=<key>&locator_type=section), and "Save and add another" starts the
    # next claim where the last citation was. An untouched pre-filled citation is not saved.
    def get_formset_kwargs(self, request: HttpRequest, obj: models.Claim, inline: object, prefix: str) -> dict:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # On POST too (the form posts back to its own address, query included): an untouched
        # pre-filled citation is told from a filled one by comparing with the same start.
        if isinstance(inline, CitationInline) and obj._state.adding:
            start = self._citation_start(request)
            if start:
                kwargs["initial"] = [start]
        return kwargs

    def _citation_start(self, request: HttpRequest) -> dict[str, object]:
        key = request.GET.get("source")
        if not key:
            return {}
        source = models.Source.objects.filter(key=key).first()
        if source is None:
            if request.method == "GET":
                self.message_user(request, f"No source has the key “{key}”: choose the source below.", messages.WARNING)
            return {}
        start: dict[str, object] = {"source": source.pk}
        if request.GET.get("locator_type") in LocatorType.values:
            start["locator_type"] = request.GET["locator_type"]
        return start

    def response_add(self, request: HttpRequest, obj: models.Claim, post_url_continue: str | None = None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" not in request.POST:
            return response
        last = obj.citations.select_related("source").order_by("-pk").first()
        if last is not None:
            query = urlencode({"source": last.source.key, "locator_type": last.locator_type})
            response["Location"] += ("&" if "?" in response["Location"] else "?") + query
        return response

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        # Each word must occur in the key, the statement or a quote, as with search_fields,
        # but through the indexed ClaimQuerySet.search: no join, so no duplicates.
        indexed_order = self._in_indexed_order(request)
        for word in smart_split(search_term):
            word = unescape_string_literal(word) if word[0] in "\"'" else word
            queryset = queryset.search(word, indexed_order=indexed_order)
        return queryset, False

    def _in_indexed_order(self, request: HttpRequest) -> bool:
        """Whether the list comes in an order an index gives: by key, sorted by the key column or by
        default, or the review queue in its own order (oldest first)."""
        sort = request.GET.get(ORDER_VAR, "").split(".")[0].lstrip("-")  # "3.-1": by column 3, then 1
        if not sort:
            ordering = self.get_ordering(request) or self.model._meta.ordering
            return ordering[0].lstrip("-") in ("key", "submitted_at")
        # Numbered as the changelist numbers its columns: the checkbox column first, where there are actions.
        columns = self.get_list_display(request)
        if self.get_actions(request):
            columns = ["action_checkbox", *columns]
        return sort.isdigit() and int(sort) < len(columns) and columns[int(sort)] == "key"

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


class LinkAdmin(KeyFilterLookupsMixin, CsvExportMixin, AuditedAdminMixin, OwnedRecordMixin, SimpleHistoryAdmin):
    list_per_page = 100
    paginator = CappedCountPaginator
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: object, form: object, change: bool) -> None:
        # The form may point the link at another coder's record: check the new owner too.
        if not policy.can_change(request.user, obj):
            raise PermissionDenied("You may only change links of records you may edit.")
        obj._change_reason = "Changed in the admin" if change else "Added in the admin"
        obj.save()


@admin.register(models.SourceLink)
class SourceLinkAdmin(LinkAdmin):
    list_display = ("citing", "cited", "footnote", "locator", "relation")
    list_filter = ("relation", ("citing", by_key))
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
    list_display = ("key", "subject", "relation_type", "object", "start", "end")
    list_filter = ("relation_type",)
    list_select_related = ("subject", "object")
    search_fields = ("key", "subject__name", "subject__aliases__name", "object__name", "object__aliases__name")
    autocomplete_fields = ("subject", "object")
    fields = (
        "key",
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
    list_filter = ("locator_type", ("source", by_key))
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
    list_filter = ("relation", "attribution", "assumption")
    list_select_related = ("claim", "assumption")
    search_fields = ("claim__key", "claim__statement", "assumption__code", "rationale")
    autocomplete_fields = ("claim", "assumption")
