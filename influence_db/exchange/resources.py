"""django-import-export resources: what each import file's columns mean.

Records are named by key, never by database id. Saves go through the coding services
(or, for links, through the same permission rule), so an import cannot set a review
status, cannot touch another coder's records, and always leaves history with the file
name as the reason.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from import_export import fields, resources, widgets

from influence_db.coding import choices, policy, services
from influence_db.coding import models as coding
from influence_db.exchange.coding_sheet import COLUMNS as CODING_SHEET_COLUMNS
from influence_db.exchange.widgets import (
    ActorWidget,
    CreatorsWidget,
    KeyWidget,
    ListWidget,
    PairsWidget,
    TrueFalseWidget,
    WholeNumberWidget,
)


def column(attribute: str, name: str | None = None, widget: widgets.Widget | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name or attribute, widget=widget)


def date_column(attribute: str) -> fields.Field:
    """A date cell, written YYYY-MM-DD as every export writes it."""
    return column(attribute, widget=widgets.DateWidget("%Y-%m-%d"))


def reason(kwargs: dict) -> str:
    return f"Imported from {kwargs.get('file_name') or 'a file'}"


class ImportResource(resources.ModelResource):
    """Shared: every row is validated with full_clean and saved with the importing user."""

    # Columns a file must have; the others may be left out.
    required: tuple[str, ...] = ()
    # What a file of this dataset holds, as the admin's import page offers it.
    holds: str = ""

    class Meta:
        clean_model_instances = True
        skip_diff = True
        use_transactions = True

    def column_names(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    def column_of(self, attribute: str) -> str:
        return next((f.column_name for f in self.get_import_fields() if f.attribute == attribute), attribute)

    def import_instance(self, instance: models.Model, row: dict, **kwargs: object) -> None:
        # import-export checks many-to-many cells only when it saves them, after the row;
        # check them with the others so that a bad name is a cell error, not a crash.
        errors = {}
        row = self.with_defaults(row)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except ValueError as exc:
                    errors[field.attribute] = ValidationError(str(exc), code="invalid")
        if errors:
            raise ValidationError(errors)

    def get_or_init_instance(self, instance_loader: object, row: dict) -> tuple[models.Model, bool]:
        # import-export looks the record up by its id columns before any cell is checked;
        # check those first so that a bad key is reported with its column.
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                field.clean(row)
            except ValueError as exc:
                errors[field.attribute] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        return super().get_or_init_instance(instance_loader, row)

    def after_init_instance(self, instance: models.Model, new: bool, row: dict, **kwargs: object) -> None:
        # Columns that are not model fields ("_source", "_participants") are read into
        # attributes; a file may leave them out, so they start empty.
        for field in self.get_import_fields():
            if field.attribute.startswith("_"):
                setattr(instance, field.attribute, None)

    def with_defaults(self, row: dict) -> dict:
        """An empty cell of a field that must not be blank means the field's default (sector: other)."""
        row = dict(row)
        for field in self.get_import_fields():
            if row.get(field.column_name, None) != "":
                continue
            try:
                model_field = self._meta.model._meta.get_field(field.attribute)
            except FieldDoesNotExist:
                continue
            if not model_field.blank and model_field.has_default():
                row[field.column_name] = model_field.get_default()
        return row

    def save_instance(self, instance: models.Model, is_create: bool, row: dict, **kwargs: object) -> None:
        self.before_save_instance(instance, row, **kwargs)
        self.write(instance, user=kwargs["user"], reason=reason(kwargs))
        self.after_save_instance(instance, row, **kwargs)

    def write(self, instance: models.Model, *, user: object, reason: str) -> None:
        if isinstance(instance, coding.CodedRecord):
            services.record_save(record=instance, user=user, reason=reason)
            return
        if not policy.can_change(user, instance):
            raise PermissionDenied(f"{policy.owner_of(instance)} is not yours to change.")
        instance._history_user = user
        instance._change_reason = reason
        instance.save()


class SourceResource(ImportResource):
    holds = "the bibliography"
    key = column("key")
    csl_type = column("csl_type")
    title = column("title")
    creators = column("creators", widget=CreatorsWidget())
    issued = date_column("issued")
    issued_precision = column("issued_precision")
    container_title = column("container_title")
    publisher = column("publisher")
    publisher_place = column("publisher_place")
    volume = column("volume")
    issue = column("issue")
    pages = column("pages")
    url = column("url")
    doi = column("doi")
    accessed = date_column("accessed")
    language = column("language")
    outlet_affiliation = column("outlet_affiliation")
    is_coded_document = column("is_coded_document", widget=TrueFalseWidget())
    notes = column("notes")
    required = ("key", "csl_type", "title")

    class Meta(ImportResource.Meta):
        model = coding.Source
        import_id_fields = ("key",)
        fields = (
            "key",
            "csl_type",
            "title",
            "creators",
            "issued",
            "issued_precision",
            "container_title",
            "publisher",
            "publisher_place",
            "volume",
            "issue",
            "pages",
            "url",
            "doi",
            "accessed",
            "language",
            "outlet_affiliation",
            "is_coded_document",
            "notes",
        )


class SourceLinkResource(ImportResource):
    holds = "which source cites which"
    citing = column("citing", widget=KeyWidget(coding.Source, field="key"))
    cited = column("cited", widget=KeyWidget(coding.Source, field="key"))
    footnote = column("footnote", widget=WholeNumberWidget())
    locator = column("locator")
    relation = column("relation")
    required = ("citing", "cited")

    class Meta(ImportResource.Meta):
        model = coding.SourceLink
        import_id_fields = ("citing", "cited", "footnote", "locator")
        fields = ("citing", "cited", "footnote", "locator", "relation")


class ActorResource(ImportResource):
    holds = "people, organisations and states"
    key = column("key")
    name = column("name")
    kind = column("kind")
    sector = column("sector")
    country = column("country")
    parent = column("parent", widget=ActorWidget())
    description = column("description")
    active_from = date_column("active_from")
    active_to = date_column("active_to")
    wikidata_qid = column("wikidata_qid")
    notes = column("notes")
    required = ("key", "name", "kind")

    class Meta(ImportResource.Meta):
        model = coding.Actor
        import_id_fields = ("key",)
        fields = (
            "key",
            "name",
            "kind",
            "sector",
            "country",
            "parent",
            "description",
            "active_from",
            "active_to",
            "wikidata_qid",
            "notes",
        )


class AliasResource(ImportResource):
    holds = "actors' other names and spellings"
    actor = column("actor", widget=KeyWidget(coding.Actor, field="key"))
    name = column("name")
    alias_type = column("alias_type")
    language = column("language")
    script = column("script")
    required = ("actor", "name")

    class Meta(ImportResource.Meta):
        model = coding.ActorAlias
        import_id_fields = ("actor", "name")
        fields = ("actor", "name", "alias_type", "language", "script")

    def get_or_init_instance(self, instance_loader: object, row: dict) -> tuple[coding.ActorAlias, bool]:
        # Aliases are unique per actor ignoring case, so they are found ignoring case too:
        # "QUDS FORCE" updates the stored "Quds Force" instead of clashing with it.
        instance, new = super().get_or_init_instance(instance_loader, row)
        if new:
            actor = self.fields["actor"].clean(row)
            existing = coding.ActorAlias.objects.filter(actor=actor, name__iexact=row.get("name", "").strip()).first()
            if existing is not None:
                return existing, False
        return instance, new


class ActorRelationResource(ImportResource):
    holds = "who leads, sponsors or opposes whom"
    key = column("key")
    subject = column("subject", widget=ActorWidget())
    relation_type = column("relation_type")
    object = column("object", widget=ActorWidget())
    start = date_column("start")
    start_precision = column("start_precision")
    end = date_column("end")
    end_precision = column("end_precision")
    notes = column("notes")
    required = ("key", "subject", "relation_type", "object")

    class Meta(ImportResource.Meta):
        model = coding.ActorRelation
        import_id_fields = ("key",)
        fields = (
            "key",
            "subject",
            "relation_type",
            "object",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "notes",
        )


class EventResource(ImportResource):
    holds = "what happened, when and where"
    key = column("key")
    title = column("title")
    event_type = column("event_type")
    date_start = date_column("date_start")
    date_end = date_column("date_end")
    date_precision = column("date_precision")
    date_as_written = column("date_as_written")
    location = column("location")
    country = column("country")
    description = column("description")
    participants = column(
        "_participants",
        "participants",
        PairsWidget(ActorWidget(), choices.ParticipantRole.values, "an actor and a role"),
    )
    notes = column("notes")
    required = ("key", "title", "event_type")

    class Meta(ImportResource.Meta):
        model = coding.Event
        import_id_fields = ("key",)
        fields = (
            "key",
            "title",
            "event_type",
            "date_start",
            "date_end",
            "date_precision",
            "date_as_written",
            "location",
            "country",
            "description",
            "participants",
            "notes",
        )

    def after_save_instance(self, instance: coding.Event, row: dict, **kwargs: object) -> None:
        if "participants" not in row:
            return  # a file without the column leaves the participants as they are
        wanted = {(actor.pk, role) for actor, role in getattr(instance, "_participants", None) or []}
        for participant in instance.event_participants.all():
            if (participant.actor_id, participant.role) not in wanted:
                services.record_delete(record=participant, user=kwargs["user"], reason=reason(kwargs))
            wanted.discard((participant.actor_id, participant.role))
        for actor_id, role in sorted(wanted):
            self.write(
                coding.EventParticipant(event=instance, actor_id=actor_id, role=role),
                user=kwargs["user"],
                reason=reason(kwargs),
            )


class ThemeResource(ImportResource):
    holds = "the challenges and opportunities claims are filed under"
    key = column("key")
    kind = column("kind")
    name = column("name")
    description = column("description")
    source = column("source", widget=KeyWidget(coding.Source, field="key"))
    notes = column("notes")
    required = ("key", "kind", "name")

    class Meta(ImportResource.Meta):
        model = coding.Theme
        import_id_fields = ("key",)
        fields = ("key", "kind", "name", "description", "source", "notes")


class AssumptionResource(ImportResource):
    holds = "the theory's assumptions"
    code = column("code")
    theory = column("theory")
    branch = column("branch")
    label = column("label")
    statement = column("statement")
    proponents = column("proponents")
    source = column("source", widget=KeyWidget(coding.Source, field="key"))
    source_locator = column("source_locator")
    parent = column("parent", widget=KeyWidget(coding.TheoryAssumption, field="code"))
    notes = column("notes")
    required = ("code", "label", "statement")

    class Meta(ImportResource.Meta):
        model = coding.TheoryAssumption
        import_id_fields = ("code",)
        fields = (
            "code",
            "theory",
            "branch",
            "label",
            "statement",
            "proponents",
            "source",
            "source_locator",
            "parent",
            "notes",
        )

    def before_save_instance(self, instance: coding.TheoryAssumption, row: dict, **kwargs: object) -> None:
        # Assumptions are named by code; the key follows it.
        instance.key = instance.key or instance.code.lower()


class CitationResource(ImportResource):
    """Citations of claims, events and actor relations (a coder usually cites claims in the coding sheet)."""

    holds = "citations of claims, events and actor relations"
    target_type = column("_target_type", "target_type")
    target = column("_target", "target")
    source = column("source", widget=KeyWidget(coding.Source, field="key"))
    locator_type = column("locator_type")
    locator = column("locator")
    quote = column("quote")
    as_cited_in = column("as_cited_in", widget=KeyWidget(coding.Source, field="key"))
    required = ("target_type", "target", "source", "locator", "quote")
    targets = {
        "claim": ("claim", coding.Claim),
        "event": ("event", coding.Event),
        "actor-relation": ("actor_relation", coding.ActorRelation),
    }

    class Meta(ImportResource.Meta):
        model = coding.Citation
        import_id_fields = ()
        fields = ("target_type", "target", "source", "locator_type", "locator", "quote", "as_cited_in")

    def get_or_init_instance(self, instance_loader: object, row: dict) -> tuple[coding.Citation, bool]:
        # The same passage cited for the same record again is the same citation.
        target_type = row.get("target_type", "")
        if target_type not in self.targets:
            return coding.Citation(), True
        attribute, _ = self.targets[target_type]
        existing = coding.Citation.objects.filter(
            **{f"{attribute}__key": row.get("target", "")},
            source__key=row.get("source", ""),
            locator=row.get("locator", ""),
            quote=row.get("quote", ""),
        ).first()
        return (existing, False) if existing else (coding.Citation(), True)

    def after_init_instance(self, instance: coding.Citation, new: bool, row: dict, **kwargs: object) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        # An existing citation names its target as the file does, so an unchanged row is seen as unchanged.
        for target_type, (attribute, _) in self.targets.items():
            if not new and getattr(instance, f"{attribute}_id"):
                instance._target_type, instance._target = target_type, getattr(instance, attribute).key

    def import_instance(self, instance: coding.Citation, row: dict, **kwargs: object) -> None:
        # The target is resolved before validation: a citation is only valid with one.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        target_type = row.get("target_type", "")
        if target_type not in self.targets:
            errors["_target_type"] = [f"“{target_type}” is not one of {', '.join(self.targets)}."]
        else:
            attribute, model = self.targets[target_type]
            try:
                setattr(instance, attribute, KeyWidget(model, field="key").clean(row.get("target")))
            except ValueError as exc:
                errors["_target"] = [str(exc)]
        if errors:
            raise ValidationError(errors)


class ClaimRelationResource(ImportResource):
    holds = "claims that corroborate, contradict or elaborate others"
    claim = column("claim", widget=KeyWidget(coding.Claim, field="key"))
    relation_type = column("relation_type")
    other = column("other", widget=KeyWidget(coding.Claim, field="key"))
    note = column("note")
    required = ("claim", "relation_type", "other")

    class Meta(ImportResource.Meta):
        model = coding.ClaimRelation
        import_id_fields = ("claim", "relation_type", "other")
        fields = ("claim", "relation_type", "other", "note")


class CodingSheetResource(ImportResource):
    """One row per coded passage: the claim, its citation and its assumption links.

    It defines the sheet's columns and their widgets; the rows are imported in bulk by
    exchange.sheet_import (thousands of rows at a time), not row by row."""

    holds = "claims, one row per coded passage, with citation and assumption links"
    claim = column("key", "claim")
    source = column("_source", "source", KeyWidget(coding.Source, field="key"))
    locator_type = column("_locator_type", "locator_type")
    locator = column("_locator", "locator")
    quote = column("_quote", "quote")
    as_cited_in = column("_as_cited_in", "as_cited_in", KeyWidget(coding.Source, field="key"))
    statement = column("statement")
    kind = column("kind")
    modality = column("modality")
    attributed_to = column("attributed_to", widget=ActorWidget())
    confidence = column("confidence")
    actors = column("actors", widget=ListWidget(ActorWidget()))
    events = column("events", widget=ListWidget(KeyWidget(coding.Event, field="key")))
    themes = column("themes", widget=ListWidget(KeyWidget(coding.Theme, field="key")))
    period_start = date_column("period_start")
    period_end = date_column("period_end")
    assumptions = column(
        "_assumptions",
        "assumptions",
        PairsWidget(
            KeyWidget(coding.TheoryAssumption, field="code"), choices.AssumptionRelation.values, "CODE:relation"
        ),
    )
    rationale = column("_rationale", "rationale")
    link_by = column("_link_by", "link_by")
    notes = column("notes")
    required = ("claim", "source", "locator", "quote", "statement", "kind")
    # Claim fields that every row of one claim must repeat identically.
    claim_columns = (
        "statement",
        "kind",
        "modality",
        "attributed_to",
        "confidence",
        "actors",
        "events",
        "themes",
        "period_start",
        "period_end",
        "notes",
    )

    class Meta(ImportResource.Meta):
        model = coding.Claim
        import_id_fields = ("claim",)
        # One list of columns for the sheet, whether it is imported or exported.
        fields = tuple(CODING_SHEET_COLUMNS)


RESOURCES: dict[str, type[ImportResource]] = {
    "sources": SourceResource,
    "source-links": SourceLinkResource,
    "actors": ActorResource,
    "aliases": AliasResource,
    "actor-relations": ActorRelationResource,
    "events": EventResource,
    "themes": ThemeResource,
    "assumptions": AssumptionResource,
    "citations": CitationResource,
    "claim-relations": ClaimRelationResource,
    "coding-sheet": CodingSheetResource,
}
