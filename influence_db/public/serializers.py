"""What the JSON API says about a record: public fields only, other records named by key.

Every field is listed by hand, so a field added to a model stays private until someone
decides to publish it. Nested lists read the `shown_*` attributes the selectors prefetch
(approved records only); a foreign key that the selectors do not filter goes through
`selectors.shown`, so an unapproved record is never named, not even by its key.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from influence_db.coding.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Citation,
    Claim,
    ClaimAssumption,
    ClaimRelation,
    Event,
    EventParticipant,
    Source,
    SourceLink,
    Theme,
    TheoryAssumption,
)
from influence_db.public import selectors
from influence_db.public.selectors import UNDATED

# The public page of each kind of record: its URL name and the field in the URL.
PAGES: dict[type, tuple[str, str]] = {
    Claim: ("public:claim", "key"),
    Actor: ("public:actor", "key"),
    Event: ("public:event", "key"),
    Source: ("public:source", "key"),
    TheoryAssumption: ("public:assumption", "code"),
}


def page_path(record: Claim | Actor | Event | Source | Theme | TheoryAssumption) -> str:
    """The path of the record's public page."""
    if isinstance(record, Theme):
        # A theme has no page of its own: its page is the list of claims coded under it.
        return f"{reverse('public:claims')}?{urlencode({'theme': record.key})}"
    name, field = PAGES[type(record)]
    return reverse(name, args=[getattr(record, field)])


# --- Fields ---------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class PageField(serializers.Field):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return page_path(record)


class KeyField(serializers.SlugRelatedField):
    """A record this one names, by key (or code); null when the public may not see it.

    Links that the selectors only return between approved records could use a plain
    SlugRelatedField; going through `shown` everywhere costs nothing and leaves no case
    to get wrong.
    """

    def __init__(self, slug_field: str = "key", **kwargs: object) -> None:
        super().__init__(slug_field=slug_field, read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        return selectors.shown(super().get_attribute(instance))


class KeyListField(serializers.ListField):
    """The keys of a prefetched `shown_*` list (already approved records only)."""

    def __init__(self, slug_field: str = "key", **kwargs: object) -> None:
        self.slug_field = slug_field
        super().__init__(child=serializers.CharField(), read_only=True, **kwargs)

    def to_representation(self, records):
        return [getattr(record, self.slug_field) for record in records]


# --- Links, nested in their records and listed on their own --------------------------------------


class CitationSerializer(serializers.ModelSerializer):
    """A citation as its claim or event shows it (the target is the record around it)."""

    source = KeyField()
    as_cited_in = KeyField()

    class Meta:
        model = Citation
        fields = ["source", "locator_type", "locator", "quote", "as_cited_in"]


class CitationLinkSerializer(CitationSerializer):
    """A citation on its own: it names the claim, event or actor relation it belongs to."""

    target_type = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()

    class Meta(CitationSerializer.Meta):
        fields = ["target_type", "target", *CitationSerializer.Meta.fields]

    @extend_schema_field(serializers.ChoiceField(choices=["claim", "event", "actor-relation"]))
    def get_target_type(self, citation: Citation) -> str:
        # The same words the citations CSV uses.
        if citation.claim_id:
            return "claim"
        return "event" if citation.event_id else "actor-relation"

    @extend_schema_field(OpenApiTypes.STR)
    def get_target(self, citation: Citation) -> str:
        target = citation.claim or citation.event or citation.actor_relation
        return target.key


class ClaimAssumptionSerializer(serializers.ModelSerializer):
    """A claim's link to an assumption, as the claim shows it."""

    assumption = KeyField(slug_field="code")

    class Meta:
        model = ClaimAssumption
        fields = ["assumption", "relation", "attribution", "rationale"]


class ClaimAssumptionLinkSerializer(ClaimAssumptionSerializer):
    claim = KeyField()

    class Meta(ClaimAssumptionSerializer.Meta):
        fields = ["claim", *ClaimAssumptionSerializer.Meta.fields]


class ClaimRelationSerializer(serializers.ModelSerializer):
    claim = KeyField()
    other = KeyField()

    class Meta:
        model = ClaimRelation
        fields = ["claim", "relation_type", "other", "note"]


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActorAlias
        fields = ["name", "alias_type", "language", "script"]


class AliasLinkSerializer(AliasSerializer):
    actor = KeyField()

    class Meta(AliasSerializer.Meta):
        fields = ["actor", *AliasSerializer.Meta.fields]


class ActorRelationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-actor-relation-detail", lookup_field="key")
    subject = KeyField()
    object = KeyField()

    class Meta:
        model = ActorRelation
        fields = [
            "key",
            "url",
            "subject",
            "relation_type",
            "object",
            "start",
            "start_precision",
            "end",
            "end_precision",
        ]


class SourceLinkSerializer(serializers.ModelSerializer):
    citing = KeyField()
    cited = KeyField()

    class Meta:
        model = SourceLink
        fields = ["citing", "cited", "footnote", "locator", "relation"]


class ParticipantSerializer(serializers.ModelSerializer):
    """An actor's role in an event, as the event shows it."""

    actor = KeyField()

    class Meta:
        model = EventParticipant
        fields = ["actor", "role"]


class EventRoleSerializer(serializers.ModelSerializer):
    """An actor's role in an event, as the actor shows it."""

    event = KeyField()

    class Meta:
        model = EventParticipant
        fields = ["event", "role"]


# --- Main records -------------------------------------------------------------------------


class ClaimSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-claim-detail", lookup_field="key")
    page = PageField()
    attributed_to = KeyField()
    themes = KeyListField(source="shown_themes")
    citations = CitationSerializer(many=True, read_only=True, source="shown_citations")
    assumptions = ClaimAssumptionSerializer(many=True, read_only=True, source="shown_assumption_links")

    class Meta:
        model = Claim
        fields = [
            "key",
            "url",
            "page",
            "statement",
            "kind",
            "modality",
            "attributed_to",
            "confidence",
            "period_start",
            "period_end",
            "themes",
            "citations",
            "assumptions",
        ]


class ClaimDetailSerializer(ClaimSerializer):
    actors = KeyListField(source="shown_actors")
    events = KeyListField(source="shown_events")
    relations = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "actors", "events", "relations"]

    @extend_schema_field(ClaimRelationSerializer(many=True))
    def get_relations(self, claim: Claim) -> list[dict]:
        """What this claim says of others, then what others say of it, each as a full triple."""
        relations = [*claim.shown_relations_out, *claim.shown_relations_in]
        return ClaimRelationSerializer(relations, many=True, context=self.context).data


class ActorSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-actor-detail", lookup_field="key")
    page = PageField()
    parent = KeyField()
    aliases = AliasSerializer(many=True, read_only=True, source="shown_aliases")

    class Meta:
        model = Actor
        fields = [
            "key",
            "url",
            "page",
            "name",
            "kind",
            "sector",
            "country",
            "parent",
            "description",
            "active_from",
            "active_to",
            "wikidata_qid",
            "aliases",
        ]


class ActorDetailSerializer(ActorSerializer):
    relations = serializers.SerializerMethodField()
    events = EventRoleSerializer(many=True, read_only=True, source="shown_event_roles")

    class Meta(ActorSerializer.Meta):
        fields = [*ActorSerializer.Meta.fields, "relations", "events"]

    @extend_schema_field(ActorRelationSerializer(many=True))
    def get_relations(self, actor: Actor) -> list[dict]:
        """Relations either way round, in time order (undated last), as the actor page lists them."""
        relations = sorted(
            [*actor.shown_relations_out, *actor.shown_relations_in],
            key=lambda relation: (relation.start or UNDATED, relation.key),
        )
        return ActorRelationSerializer(relations, many=True, context=self.context).data


class EventSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-event-detail", lookup_field="key")
    page = PageField()
    participants = ParticipantSerializer(many=True, read_only=True, source="shown_participants")

    class Meta:
        model = Event
        fields = [
            "key",
            "url",
            "page",
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
        ]


class EventDetailSerializer(EventSerializer):
    citations = CitationSerializer(many=True, read_only=True, source="shown_citations")

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "citations"]


class CreatorSerializer(serializers.Serializer):
    """A CSL name: a person's family and given names, or an organisation's literal name."""

    family = serializers.CharField(required=False)
    given = serializers.CharField(required=False)
    literal = serializers.CharField(required=False)


class SourceSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-source-detail", lookup_field="key")
    page = PageField()
    creators = CreatorSerializer(many=True, read_only=True)
    # The source's own address; `url` is the API's, as on every record.
    source_url = serializers.URLField(source="url", read_only=True)

    class Meta:
        model = Source
        fields = [
            "key",
            "url",
            "page",
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
            "source_url",
            "doi",
            "accessed",
            "language",
            "outlet_affiliation",
            "is_coded_document",
        ]


class SourceDetailSerializer(SourceSerializer):
    cites = SourceLinkSerializer(many=True, read_only=True, source="shown_links_out")
    cited_by = SourceLinkSerializer(many=True, read_only=True, source="shown_links_in")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "cites", "cited_by"]


class ThemeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-theme-detail", lookup_field="key")
    page = PageField()
    source = KeyField()

    class Meta:
        model = Theme
        fields = ["key", "url", "page", "kind", "name", "description", "source"]


class AssumptionSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-assumption-detail", lookup_field="code")
    page = PageField()
    source = KeyField()
    parent = KeyField(slug_field="code")

    class Meta:
        model = TheoryAssumption
        fields = [
            "code",
            "url",
            "page",
            "theory",
            "branch",
            "label",
            "statement",
            "proponents",
            "source",
            "source_locator",
            "parent",
        ]
