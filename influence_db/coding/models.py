"""The coding scheme: sources, actors, events, claims and the theory they bear on.

Integrity rules live in the database as named constraints so that every write path
(admin, import, shell, raw SQL) obeys them; `full_clean()` reports the same rules
as form errors before the database has to refuse them.
"""

from __future__ import annotations

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from influence_db.coding import choices
from influence_db.coding.keys import KEY_MAX_LENGTH, generate_key, key_was_issued
from influence_db.coding.querysets import (
    ActorQuerySet,
    ClaimQuerySet,
    CodedRecordQuerySet,
    EventQuerySet,
)


class History(HistoricalRecords):
    """simple_history's records without indexes on the copies of foreign keys, nor, in the history of a
    claim's actors, events and themes, on the copy of the row's id. History is read by record and
    key, and the lists through the history row; never by what a past version pointed to. Each index
    is paid on every save, and a bulk import writes history by the ten thousand rows.

    Nor is the history's user held by a foreign key constraint: at commit the database would look the
    same user up again for each history row (a twentieth of a bulk import's time). It is always the
    user saving, and deleting a user still clears it through Django (SET_NULL)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("user_db_constraint", False)
        super().__init__(*args, **kwargs)

    def copy_fields(self, model: type[models.Model]) -> dict[str, models.Field]:
        fields = super().copy_fields(model)
        for field in fields.values():
            if field.is_relation or (model._meta.auto_created and field.name == model._meta.pk.name):
                field.db_index = False
            elif field.name == "key":
                field.db_index = True  # keys are never reused: a new key is checked against history
        return fields


def validate_country(value: str) -> None:
    # pycountry matches case-insensitively; stored codes must be canonical for filters.
    if not value.isupper() or pycountry.countries.get(alpha_3=value) is None:
        raise ValidationError(
            "%(value)s is not an ISO 3166 alpha-3 country code (e.g. IRN, IRQ, USA).",
            params={"value": value},
        )


def validate_creators(value: object) -> None:
    """Creators are stored as CSL name objects: {family, given} or {literal}."""
    if not isinstance(value, list):
        raise ValidationError("Creators must be a list of names.")
    for position, name in enumerate(value, start=1):
        if not isinstance(name, dict) or not (name.get("family") or name.get("literal")):
            raise ValidationError(
                "Creator %(n)s needs a family name or a literal (organisation) name.",
                params={"n": position},
            )
        if set(name) - {"family", "given", "literal"}:
            raise ValidationError(
                "Creator %(n)s has unknown parts; use family, given or literal.",
                params={"n": position},
            )


validate_qid = RegexValidator(r"^Q[1-9]\d*$", "A Wikidata QID looks like Q12345.")
validate_assumption_code = RegexValidator(
    r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$", "Codes look like SR-ANARCHY: capitals, digits and hyphens."
)


def refuse_self_link(record: models.Model, field: str, other: str = "pk") -> None:
    """Model-level twin of `not_self_constraint`, for forms where one side is not a form field
    (an inline's parent, a record's own id) and the constraint check is skipped."""
    value, other_value = getattr(record, f"{field}_id"), getattr(record, other if other == "pk" else f"{other}_id")
    if value is not None and value == other_value:
        raise ValidationError({field: "A record cannot be related to itself."})


def country_field(**kwargs: object) -> models.CharField:
    return models.CharField(
        max_length=3, blank=True, validators=[validate_country], help_text="ISO 3166 alpha-3, e.g. IRN.", **kwargs
    )


# The field each named rule is about, so that an import can say which column broke it.
CONSTRAINT_FIELDS: dict[str, str] = {
    "actoralias_name_unique_per_actor": "name",
    "claim_reported_claim_is_attributed": "attributed_to",
    "eventparticipant_unique_role": "actor",
    "claimrelation_unique": "other",
    "claimassumption_unique": "assumption",
}


def date_range_constraint(model: str, start: str, end: str) -> models.CheckConstraint:
    CONSTRAINT_FIELDS[f"{model}_{end}_not_before_{start}"] = end
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}),
        name=f"{model}_{end}_not_before_{start}",
        violation_error_message=f"The end date cannot be before the start date ({end.replace('_', ' ')}).",
    )


def not_self_constraint(model: str, field: str, other: str = "id") -> models.CheckConstraint:
    CONSTRAINT_FIELDS[f"{model}_{field}_not_self"] = field
    return models.CheckConstraint(
        condition=~Q(**{field: F(other)}),
        name=f"{model}_{field}_not_self",
        violation_error_message="A record cannot be related to itself.",
    )


def not_blank_constraint(model: str, field: str) -> models.CheckConstraint:
    CONSTRAINT_FIELDS[f"{model}_{field}_not_blank"] = field
    return models.CheckConstraint(
        condition=~Q(**{field: ""}),
        name=f"{model}_{field}_not_blank",
        violation_error_message=f"The {field.replace('_', ' ')} cannot be empty.",
    )


def set_only_index(field: str, name: str) -> models.Index:
    """An index of `field` on the rows where it is set: most rows leave it NULL, and an insert of
    one of those then writes nothing to this index."""
    return models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=name)


class CodedRecord(models.Model):
    """What every main record carries: a key, review state, authorship and notes."""

    key = models.SlugField(
        max_length=KEY_MAX_LENGTH,
        blank=True,
        db_index=False,  # the unique constraint's index, and the pattern index below
        help_text="Used in CSV files, URLs and the API. Leave blank to generate it.",
    )
    status = models.CharField(max_length=10, choices=choices.Status.choices, default=choices.Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Unset until the record is reviewed: indexed where set (Meta.indexes).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, db_index=False, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True, help_text="Internal: never shown on the public side.")
    # Optimistic locking: a save must name the version it was based on (see services).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CodedRecordQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["key"], name="%(class)s_key_unique"),
            models.CheckConstraint(condition=Q(status__in=choices.Status.values), name="%(class)s_status_valid"),
        ]
        indexes = [
            # Keys by prefix (new keys steer clear of every key issued): PostgreSQL's LIKE needs the
            # pattern operator class. The unique constraint's index serves equality and key order.
            models.Index(fields=["key"], name="%(class)s_key_like", opclasses=["varchar_pattern_ops"]),
            # The review queue, oldest first (awaiting_review): a few thousand records out of a million,
            # listed, counted and searched in this index's order.
            models.Index(
                fields=["submitted_at", "id"],
                condition=Q(status=choices.Status.SUBMITTED),
                name="%(class)s_review_queue",
            ),
            # Who reviewed what, for deleting a user (PROTECT); new and imported records have no reviewer.
            set_only_index("reviewed_by", "%(class)s_reviewer_set"),
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args: object, **kwargs: object) -> None:
        # Filling a blank key is part of the row itself, not a side effect: every
        # single-row path (admin, services, shell) gets one. Bulk paths must set it.
        if not self.key:
            self.key = generate_key(type(self), self.key_source())
        super().save(*args, **kwargs)

    def key_source(self) -> str:
        """The text a generated key is built from."""
        raise NotImplementedError

    def clean(self) -> None:
        super().clean()
        # A restore brings back the same record under its own key: that is not reuse.
        restoring = getattr(self, "_restoring", False)
        if self.key and not restoring and key_was_issued(type(self), self.key, exclude_pk=self.pk):
            raise ValidationError({"key": "This key is, or was, used by another record; keys are never reused."})


class Source(CodedRecord):
    csl_type = models.CharField("type", max_length=20, choices=choices.CslType.choices)
    title = models.CharField(max_length=500)
    creators = models.JSONField(
        default=list, blank=True, validators=[validate_creators], help_text="In order, as on the title page."
    )
    issued = models.DateField(null=True, blank=True)
    issued_precision = models.CharField(
        max_length=10, choices=choices.DatePrecision.choices, default=choices.DatePrecision.DAY
    )
    container_title = models.CharField(
        max_length=300, blank=True, help_text="Journal, newspaper, website or book the item appears in."
    )
    publisher = models.CharField(max_length=300, blank=True)
    publisher_place = models.CharField(max_length=200, blank=True)
    volume = models.CharField(max_length=40, blank=True)
    issue = models.CharField(max_length=40, blank=True)
    pages = models.CharField(max_length=40, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    accessed = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True, help_text="BCP 47 tag: en, fa, ar …")
    outlet_affiliation = models.CharField(
        max_length=300, blank=True, help_text='As the citing document states it, e.g. "IRGC-affiliated news agency".'
    )
    is_coded_document = models.BooleanField(default=False, help_text="Coded in full, not only cited.")

    cites = models.ManyToManyField("self", through="SourceLink", symmetrical=False, related_name="cited_by", blank=True)

    history = History()

    class Meta(CodedRecord.Meta):
        permissions = [
            ("review_source", "Can approve or return sources"),
            # One permission for every import, kept here with the records it writes.
            ("import_records", "Can import records from CSV files"),
        ]
        constraints = [*CodedRecord.Meta.constraints, not_blank_constraint("source", "title")]
        ordering = ["key"]

    def key_source(self) -> str:
        first = self.creators[0] if self.creators else {}
        author = first.get("family") or first.get("literal") or ""
        year = str(self.issued.year) if self.issued else ""
        title_words = " ".join(self.title.split()[:3])
        return " ".join(part for part in (author, year, title_words) if part)

    @property
    def creators_display(self) -> str:
        return "; ".join(format_creator(name) for name in self.creators)


def format_creator(name: dict[str, str]) -> str:
    if name.get("literal"):
        return name["literal"]
    return ", ".join(part for part in (name.get("family"), name.get("given")) if part)


def parse_creator(text: str) -> dict[str, str]:
    """ "Waltz, Kenneth N." -> family/given; anything without a comma is a literal name."""
    if "," in text:
        family, given = (part.strip() for part in text.split(",", 1))
        return {"family": family, "given": given} if given else {"family": family}
    return {"literal": text.strip()}


class SourceLink(models.Model):
    citing = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="links_out")
    cited = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="links_in")
    footnote = models.PositiveIntegerField(null=True, blank=True)
    locator = models.CharField(max_length=100, blank=True, help_text='Where the citing text cites it, e.g. "§3 ¶2".')
    relation = models.CharField(
        max_length=10, choices=choices.SourceLinkRelation.choices, default=choices.SourceLinkRelation.CITES
    )

    history = History()

    class Meta:
        ordering = ["citing", "footnote", "id"]
        constraints = [not_self_constraint("sourcelink", "citing", "cited")]

    def __str__(self) -> str:
        return f"{self.citing} → {self.cited}"

    def clean(self) -> None:
        super().clean()
        refuse_self_link(self, "citing", "cited")

    @property
    def owner(self) -> Source | None:
        """The main record whose coder is responsible for this link."""
        return self.citing if self.citing_id else None


class Actor(CodedRecord):
    name = models.CharField("canonical name", max_length=200)
    kind = models.CharField(max_length=15, choices=choices.ActorKind.choices)
    sector = models.CharField(max_length=20, choices=choices.Sector.choices, default=choices.Sector.OTHER)
    country = country_field()
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The organisation this one belongs to, e.g. IRGC for the Qods Force.",
    )
    description = models.TextField(blank=True)
    active_from = models.DateField(null=True, blank=True)
    active_to = models.DateField(null=True, blank=True)
    wikidata_qid = models.CharField("Wikidata QID", max_length=20, blank=True, validators=[validate_qid])

    objects = ActorQuerySet.as_manager()
    history = History()

    class Meta(CodedRecord.Meta):
        permissions = [("review_actor", "Can approve or return actors")]
        ordering = ["name"]
        constraints = [
            *CodedRecord.Meta.constraints,
            not_blank_constraint("actor", "name"),
            not_self_constraint("actor", "parent"),
            date_range_constraint("actor", "active_from", "active_to"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        refuse_self_link(self, "parent")

    def key_source(self) -> str:
        return self.name


class ActorAlias(models.Model):
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    alias_type = models.CharField(
        "type", max_length=20, choices=choices.AliasType.choices, default=choices.AliasType.SPELLING_VARIANT
    )
    language = models.CharField(max_length=20, blank=True, help_text="BCP 47 tag: en, fa, ar …")
    script = models.CharField(max_length=4, blank=True, help_text="ISO 15924: Latn, Arab …")

    history = History()

    class Meta:
        verbose_name_plural = "actor aliases"
        ordering = ["actor", "name"]
        constraints = [
            # Case-insensitive: "Quds Force" and "quds force" are the same alias.
            models.UniqueConstraint(
                Lower("name"),
                "actor",
                name="actoralias_name_unique_per_actor",
                violation_error_message="This actor already has this alias.",
            ),
            not_blank_constraint("actoralias", "name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> Actor | None:
        """The main record whose coder is responsible for this link."""
        return self.actor if self.actor_id else None


class ActorRelation(models.Model):
    # Relations carry citations, so CSV files need a name for them too.
    key = models.SlugField(max_length=KEY_MAX_LENGTH, blank=True, help_text="Leave blank to generate it.")
    subject = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relations_out")
    relation_type = models.CharField("type", max_length=15, choices=choices.ActorRelationType.choices)
    object = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="relations_in")
    start = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=10, choices=choices.DatePrecision.choices, default=choices.DatePrecision.DAY
    )
    end = models.DateField(null=True, blank=True)
    end_precision = models.CharField(
        max_length=10, choices=choices.DatePrecision.choices, default=choices.DatePrecision.DAY
    )
    notes = models.TextField(blank=True, help_text="Internal: never shown on the public side.")

    history = History()

    class Meta:
        ordering = ["subject", "relation_type", "start"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="actorrelation_key_unique"),
            not_self_constraint("actorrelation", "subject", "object"),
            date_range_constraint("actorrelation", "start", "end"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_relation_type_display().lower()} {self.object}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.key:
            self.key = generate_key(type(self), f"{self.subject.key} {self.relation_type} {self.object.key}")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        refuse_self_link(self, "subject", "object")

    @property
    def owner(self) -> Actor | None:
        """The main record whose coder is responsible for this link."""
        return self.subject if self.subject_id else None


class Event(CodedRecord):
    title = models.CharField(max_length=300)
    event_type = models.CharField("type", max_length=15, choices=choices.EventType.choices)
    date_start = models.DateField(null=True, blank=True)
    date_end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(
        max_length=10, choices=choices.DatePrecision.choices, default=choices.DatePrecision.DAY
    )
    date_as_written = models.CharField(
        max_length=200, blank=True, help_text='Exactly as the source gives it, e.g. "early June 2020".'
    )
    location = models.CharField(max_length=200, blank=True)
    country = country_field()
    description = models.TextField(blank=True)
    participants = models.ManyToManyField(Actor, through="EventParticipant", related_name="events", blank=True)

    objects = EventQuerySet.as_manager()
    history = History()

    class Meta(CodedRecord.Meta):
        permissions = [("review_event", "Can approve or return events")]
        ordering = ["date_start", "key"]
        constraints = [
            *CodedRecord.Meta.constraints,
            not_blank_constraint("event", "title"),
            date_range_constraint("event", "date_start", "date_end"),
        ]

    def __str__(self) -> str:
        return self.title

    def key_source(self) -> str:
        return f"{self.date_start.isoformat() if self.date_start else ''} {self.title}"


class EventParticipant(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="event_participants")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="event_roles")
    role = models.CharField(
        max_length=25, choices=choices.ParticipantRole.choices, default=choices.ParticipantRole.PARTICIPANT
    )

    history = History()

    class Meta:
        ordering = ["event", "role", "actor"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "actor", "role"],
                name="eventparticipant_unique_role",
                violation_error_message="This actor already has this role in the event.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display().lower()})"

    @property
    def owner(self) -> Event | None:
        """The main record whose coder is responsible for this link."""
        return self.event if self.event_id else None


class Theme(CodedRecord):
    kind = models.CharField(max_length=12, choices=choices.ThemeKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="themes",
        help_text="The document that organises its argument under this heading.",
    )

    history = History()

    class Meta(CodedRecord.Meta):
        permissions = [("review_theme", "Can approve or return themes")]
        constraints = [*CodedRecord.Meta.constraints, not_blank_constraint("theme", "name")]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def key_source(self) -> str:
        return self.name


class TheoryAssumption(CodedRecord):
    theory = models.CharField(max_length=30, choices=choices.Theory.choices, default=choices.Theory.STRUCTURAL_REALISM)
    branch = models.CharField(max_length=10, choices=choices.Branch.choices, default=choices.Branch.GENERAL)
    code = models.CharField(max_length=40, validators=[validate_assumption_code])
    label = models.CharField(max_length=200)
    statement = models.TextField()
    proponents = models.CharField(max_length=300, blank=True, help_text="e.g. Kenneth Waltz; John Mearsheimer")
    # The assumption's own citation: the theoretical work it comes from.
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_locator = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    history = History()

    class Meta(CodedRecord.Meta):
        permissions = [("review_theoryassumption", "Can approve or return theory assumptions")]
        ordering = ["code"]
        constraints = [
            *CodedRecord.Meta.constraints,
            models.UniqueConstraint(fields=["code"], name="theoryassumption_code_unique"),
            not_self_constraint("theoryassumption", "parent"),
            not_blank_constraint("theoryassumption", "label"),
            not_blank_constraint("theoryassumption", "statement"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def clean(self) -> None:
        super().clean()
        refuse_self_link(self, "parent")

    def key_source(self) -> str:
        return self.code


class Claim(CodedRecord):
    statement = models.TextField(help_text="Your paraphrase of what the source asserts.")
    kind = models.CharField(max_length=15, choices=choices.ClaimKind.choices)
    modality = models.CharField(max_length=10, choices=choices.Modality.choices, default=choices.Modality.ASSERTS)
    # Set for reported claims only: indexed where set (Meta.indexes).
    attributed_to = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="attributed_claims",
        help_text="When the source reports someone else's claim.",
    )
    confidence = models.CharField(max_length=6, choices=choices.Confidence.choices, default=choices.Confidence.HIGH)
    actors = models.ManyToManyField(Actor, related_name="claims", blank=True)
    events = models.ManyToManyField(Event, related_name="claims", blank=True)
    themes = models.ManyToManyField(Theme, related_name="claims", blank=True)
    period_start = models.DateField(null=True, blank=True, help_text="The period the claim is about.")
    period_end = models.DateField(null=True, blank=True)
    assumptions = models.ManyToManyField(TheoryAssumption, through="ClaimAssumption", related_name="claims", blank=True)

    objects = ClaimQuerySet.as_manager()
    history = History(m2m_fields=[actors, events, themes])

    class Meta(CodedRecord.Meta):
        permissions = [("review_claim", "Can approve or return claims")]
        ordering = ["key"]
        indexes = [
            *CodedRecord.Meta.indexes,
            set_only_index("attributed_to", "claim_attributed_to_set"),
        ]
        constraints = [
            *CodedRecord.Meta.constraints,
            not_blank_constraint("claim", "statement"),
            date_range_constraint("claim", "period_start", "period_end"),
            models.CheckConstraint(
                condition=Q(attributed_to__isnull=False) | ~Q(modality=choices.Modality.REPORTS),
                name="claim_reported_claim_is_attributed",
                violation_error_message="A claim that reports someone's statement needs the actor it is attributed to.",
            ),
        ]

    def __str__(self) -> str:
        return self.key or self.statement[:60]

    def key_source(self) -> str:
        return self.statement


class Citation(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    locator_type = models.CharField(
        max_length=10, choices=choices.LocatorType.choices, default=choices.LocatorType.PAGE
    )
    locator = models.CharField(max_length=100, help_text='e.g. "12", "§3 ¶2", "fn. 14".')
    quote = models.TextField(help_text="Verbatim, as printed (OCR errors included).")
    # Rarely set: indexed where set (Meta.indexes), not row by row.
    as_cited_in = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        db_index=False,
        on_delete=models.PROTECT,
        related_name="secondary_citations",
        help_text="When the quote is taken from another work that cites this source.",
    )
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="citations")
    event = models.ForeignKey(
        Event, null=True, blank=True, db_index=False, on_delete=models.CASCADE, related_name="citations"
    )
    actor_relation = models.ForeignKey(
        ActorRelation, null=True, blank=True, db_index=False, on_delete=models.CASCADE, related_name="citations"
    )

    history = History()

    class Meta:
        ordering = ["source", "id"]
        # Most citations are a claim's: the other targets, and secondary citations, are indexed
        # where they are set, so that the claims' citations (an import writes thousands) skip them.
        indexes = [set_only_index(name, f"citation_{name}_set") for name in ("as_cited_in", "event", "actor_relation")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(claim__isnull=False, event__isnull=True, actor_relation__isnull=True)
                    | Q(claim__isnull=True, event__isnull=False, actor_relation__isnull=True)
                    | Q(claim__isnull=True, event__isnull=True, actor_relation__isnull=False)
                ),
                name="citation_exactly_one_target",
                violation_error_message="A citation belongs to exactly one claim, event or actor relation.",
            ),
            not_blank_constraint("citation", "quote"),
            not_blank_constraint("citation", "locator"),
            not_self_constraint("citation", "as_cited_in", "source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}, {self.locator_display}"

    @property
    def locator_display(self) -> str:
        """ "page 12", "§3 ¶2" with its type; a locator that already names it ("Section Two") as is."""
        kind = self.get_locator_type_display().lower()
        if self.locator.lower().startswith(kind):
            return self.locator
        return f"{kind} {self.locator}"

    @property
    def owner(self) -> CodedRecord | None:
        """The main record whose coder is responsible for this citation."""
        if self.claim_id:
            return self.claim
        if self.event_id:
            return self.event
        return self.actor_relation.subject if self.actor_relation_id else None


class ClaimRelation(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_out")
    relation_type = models.CharField("type", max_length=15, choices=choices.ClaimRelationType.choices)
    other = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="relations_in")
    note = models.TextField(blank=True, help_text="Why the two claims are related.")

    history = History()

    class Meta:
        ordering = ["claim", "relation_type"]
        constraints = [
            not_self_constraint("claimrelation", "claim", "other"),
            models.UniqueConstraint(
                fields=["claim", "relation_type", "other"],
                name="claimrelation_unique",
                violation_error_message="These claims are already related this way.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.relation_type} {self.other}"

    def clean(self) -> None:
        super().clean()
        refuse_self_link(self, "claim", "other")

    @property
    def owner(self) -> Claim | None:
        """The main record whose coder is responsible for this link."""
        return self.claim if self.claim_id else None


class ClaimAssumption(models.Model):
    # Looked up by claim through the index of claimassumption_unique, which starts with it.
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="assumption_links", db_index=False)
    assumption = models.ForeignKey(TheoryAssumption, on_delete=models.PROTECT, related_name="claim_links")
    relation = models.CharField(max_length=12, choices=choices.AssumptionRelation.choices)
    rationale = models.TextField(help_text="Why the claim bears on the assumption this way.")
    attribution = models.CharField(
        max_length=6, choices=choices.LinkAttribution.choices, default=choices.LinkAttribution.SOURCE
    )

    history = History()

    class Meta:
        ordering = ["claim", "assumption"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "assumption"],
                name="claimassumption_unique",
                violation_error_message="This claim is already linked to this assumption.",
            ),
            not_blank_constraint("claimassumption", "rationale"),
        ]

    def __str__(self) -> str:
        return f"{self.claim} {self.relation} {self.assumption.code}"

    @property
    def owner(self) -> Claim | None:
        """The main record whose coder is responsible for this link."""
        return self.claim if self.claim_id else None
