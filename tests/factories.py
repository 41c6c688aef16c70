"""factory_boy factories for every coding model, with values from the coded domain.

Keys are left blank so that the model generates them, as it does in the admin; a
test that needs a particular key passes it explicitly.
"""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from influence_db.coding import choices, models

# Sequenced text ends in "(n)" so that one record's text is never part of another's
# ("brigade 1" is inside "brigade 12"; "(1)" is not inside "(12)"): admin search tests
# rely on it.


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = models.Source

    csl_type = choices.CslType.REPORT
    title = factory.Sequence(lambda n: f"Iran faces growing challenges in Iraq ({n})")
    creators = factory.LazyFunction(lambda: [{"family": "Zimmt", "given": "Raz"}])
    issued = datetime.date(2020, 7, 14)
    publisher = "Meir Amit Intelligence and Terrorism Information Center"
    publisher_place = "Ramat Hasharon"
    language = "en"


class SourceLinkFactory(DjangoModelFactory):
    class Meta:
        model = models.SourceLink

    citing = factory.SubFactory(SourceFactory)
    cited = factory.SubFactory(
        SourceFactory,
        csl_type=choices.CslType.ARTICLE_NEWSPAPER,
        title=factory.Sequence(lambda n: f"Qaani meets Iraqi officials in Baghdad ({n})"),
        creators=factory.LazyFunction(lambda: [{"literal": "IRNA"}]),
        container_title="Islamic Republic News Agency",
        issued=datetime.date(2020, 6, 3),
    )
    footnote = factory.Sequence(lambda n: n + 1)
    locator = "§2 ¶3"
    relation = choices.SourceLinkRelation.CITES


class ActorFactory(DjangoModelFactory):
    class Meta:
        model = models.Actor

    name = factory.Sequence(lambda n: f"Kataib Sayyid al-Shuhada ({n})")
    kind = choices.ActorKind.ORGANIZATION
    sector = choices.Sector.MILITIA
    country = "IRQ"
    description = "Iran-backed Iraqi Shiite militia."


class ActorAliasFactory(DjangoModelFactory):
    class Meta:
        model = models.ActorAlias

    actor = factory.SubFactory(ActorFactory)
    name = factory.Sequence(lambda n: f"KSS ({n})")
    alias_type = choices.AliasType.ACRONYM
    language = "en"
    script = "Latn"


class ActorRelationFactory(DjangoModelFactory):
    class Meta:
        model = models.ActorRelation

    subject = factory.SubFactory(ActorFactory)
    relation_type = choices.ActorRelationType.SUBUNIT_OF
    object = factory.SubFactory(
        ActorFactory,
        name=factory.Sequence(lambda n: f"Islamic Revolutionary Guard Corps ({n})"),
        country="IRN",
        sector=choices.Sector.MILITARY,
    )
    start = datetime.date(2014, 6, 13)
    start_precision = choices.DatePrecision.DAY


class EventFactory(DjangoModelFactory):
    class Meta:
        model = models.Event

    title = factory.Sequence(lambda n: f"Rocket attack on the Green Zone ({n})")
    event_type = choices.EventType.ASSAULT
    date_start = datetime.date(2020, 3, 11)
    date_precision = choices.DatePrecision.DAY
    date_as_written = "March 11, 2020"
    location = "Baghdad"
    country = "IRQ"


class EventParticipantFactory(DjangoModelFactory):
    class Meta:
        model = models.EventParticipant

    event = factory.SubFactory(EventFactory)
    actor = factory.SubFactory(ActorFactory)
    role = choices.ParticipantRole.ACCUSED


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = models.Theme

    kind = choices.ThemeKind.CHALLENGE
    name = factory.Sequence(lambda n: f"Growing anti-Iranian protest in Iraq ({n})")
    description = "Protesters in Baghdad and the south turn against Iranian influence."


class TheoryAssumptionFactory(DjangoModelFactory):
    class Meta:
        model = models.TheoryAssumption

    theory = choices.Theory.STRUCTURAL_REALISM
    branch = choices.Branch.GENERAL
    code = factory.Sequence(lambda n: f"SR-TEST-{n}")
    label = factory.Sequence(lambda n: f"Self-help ({n})")
    statement = "In an anarchic system each state must ensure its own survival."
    proponents = "Kenneth Waltz"


class ClaimFactory(DjangoModelFactory):
    class Meta:
        model = models.Claim

    statement = factory.Sequence(lambda n: f"Iran seeks to preserve the Popular Mobilization Forces as a lever ({n}).")
    kind = choices.ClaimKind.INTENT
    modality = choices.Modality.ASSERTS
    confidence = choices.Confidence.HIGH
    period_start = datetime.date(2019, 10, 1)
    period_end = datetime.date(2020, 7, 14)


class CitationFactory(DjangoModelFactory):
    """A citation for a claim; pass claim=None and event=... (or actor_relation=...) for other targets."""

    class Meta:
        model = models.Citation

    source = factory.SubFactory(SourceFactory)
    locator_type = choices.LocatorType.PAGE
    locator = factory.Sequence(lambda n: str(n + 1))
    quote = "Iran is determined to further its vital interests in Iraq."
    claim = factory.SubFactory(ClaimFactory)


class ClaimRelationFactory(DjangoModelFactory):
    class Meta:
        model = models.ClaimRelation

    claim = factory.SubFactory(ClaimFactory)
    relation_type = choices.ClaimRelationType.CORROBORATES
    other = factory.SubFactory(ClaimFactory)
    note = "Both sources describe the same meeting."


class ClaimAssumptionFactory(DjangoModelFactory):
    class Meta:
        model = models.ClaimAssumption

    claim = factory.SubFactory(ClaimFactory)
    assumption = factory.SubFactory(TheoryAssumptionFactory)
    relation = choices.AssumptionRelation.ILLUSTRATES
    rationale = "Keeping allied militias armed is self-help under uncertainty."
    attribution = choices.LinkAttribution.CODER
