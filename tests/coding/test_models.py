"""The data model: database constraints, model validation, keys, name lookup, history,
creators, countries and roles.

Constraint tests write through the ORM without `full_clean()`, so only the database
stands between the bad row and the table; each one checks that the *named*
constraint is what refused it (SQLite and PostgreSQL both put the name in the
message, except SQLite for unique column sets, where it names the columns).
"""

from __future__ import annotations

import datetime
import io
import re
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError, UniqueConstraint

from influence_db.coding import choices, models, services
from influence_db.coding.forms import CreatorsField, SourceForm
from influence_db.coding.keys import KEY_MAX_LENGTH
from influence_db.coding.models import validate_country, validate_creators
from influence_db.coding.roles import ROLE_PERMISSIONS
from tests import factories

pytestmark = pytest.mark.django_db


def constraint_error_pattern(model: type[Model], name: str) -> str:
    """How the database names constraint `name` of `model` when it refuses a row."""
    constraint = next((c for c in model._meta.constraints if c.name == name), None)
    assert constraint is not None, f"{model.__name__} has no constraint {name}"
    if isinstance(constraint, UniqueConstraint) and constraint.fields:
        # SQLite names a unique column set by its columns ("coding_actor.key") instead.
        table = model._meta.db_table
        columns = ", ".join(f"{table}.{model._meta.get_field(field).column}" for field in constraint.fields)
        return f"{re.escape(name)}|{re.escape(columns)}"
    return re.escape(name)


@contextmanager
def refused_by(model: type[Model], constraint: str):
    """The block must fail with an IntegrityError from `model`'s constraint named `constraint`."""
    # The savepoint keeps the test's own transaction usable after the error (PostgreSQL).
    with pytest.raises(IntegrityError, match=constraint_error_pattern(model, constraint)), transaction.atomic():
        yield


def validation_messages(exc_info: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc_info.value.messages)


# --- Database constraints -----------------------------------------------------------


class TestCitationTarget:
    def test_citation_without_target_is_refused(self):
        with refused_by(models.Citation, "citation_exactly_one_target"):
            factories.CitationFactory(claim=None)

    def test_citation_with_two_targets_is_refused(self):
        with refused_by(models.Citation, "citation_exactly_one_target"):
            factories.CitationFactory(event=factories.EventFactory())

    @pytest.mark.parametrize("target", ["claim", "event", "actor_relation"])
    def test_citation_with_exactly_one_target_is_stored(self, target):
        owners = {
            "claim": factories.ClaimFactory,
            "event": factories.EventFactory,
            "actor_relation": factories.ActorRelationFactory,
        }
        citation = factories.CitationFactory(**{"claim": None, target: owners[target]()})
        assert getattr(models.Citation.objects.get(pk=citation.pk), f"{target}_id") is not None


class TestDateRanges:
    def test_event_ending_before_it_starts_is_refused(self):
        with refused_by(models.Event, "event_date_end_not_before_date_start"):
            factories.EventFactory(date_start=datetime.date(2020, 1, 3), date_end=datetime.date(2020, 1, 2))

    def test_actor_inactive_before_it_was_active_is_refused(self):
        with refused_by(models.Actor, "actor_active_to_not_before_active_from"):
            factories.ActorFactory(active_from=datetime.date(2014, 6, 13), active_to=datetime.date(2014, 6, 12))

    def test_actor_relation_ending_before_it_starts_is_refused(self):
        with refused_by(models.ActorRelation, "actorrelation_end_not_before_start"):
            factories.ActorRelationFactory(start=datetime.date(2018, 1, 1), end=datetime.date(2017, 12, 31))

    def test_claim_period_ending_before_it_starts_is_refused(self):
        with refused_by(models.Claim, "claim_period_end_not_before_period_start"):
            factories.ClaimFactory(period_start=datetime.date(2020, 7, 14), period_end=datetime.date(2019, 10, 1))

    def test_one_day_ranges_and_open_ranges_are_allowed(self):
        day = datetime.date(2020, 1, 3)
        factories.EventFactory(date_start=day, date_end=day)
        factories.EventFactory(date_start=None, date_end=day)
        factories.ActorFactory(active_from=day, active_to=None)
        factories.ClaimFactory(period_start=day, period_end=day)
        assert models.Event.objects.count() == 2


class TestNoSelfReference:
    def test_actor_cannot_be_its_own_parent(self):
        actor = factories.ActorFactory(name="Qods Force")
        with refused_by(models.Actor, "actor_parent_not_self"):
            models.Actor.objects.filter(pk=actor.pk).update(parent=actor)

    def test_actor_relation_subject_cannot_be_its_object(self):
        actor = factories.ActorFactory(name="Kata'ib Hizballah")
        with refused_by(models.ActorRelation, "actorrelation_subject_not_self"):
            factories.ActorRelationFactory(subject=actor, object=actor)

    def test_claim_cannot_be_related_to_itself(self):
        claim = factories.ClaimFactory()
        with refused_by(models.ClaimRelation, "claimrelation_claim_not_self"):
            factories.ClaimRelationFactory(claim=claim, other=claim)

    def test_source_cannot_cite_itself(self):
        source = factories.SourceFactory()
        with refused_by(models.SourceLink, "sourcelink_citing_not_self"):
            factories.SourceLinkFactory(citing=source, cited=source)

    def test_citation_cannot_be_cited_in_its_own_source(self):
        source = factories.SourceFactory()
        with refused_by(models.Citation, "citation_as_cited_in_not_self"):
            factories.CitationFactory(source=source, as_cited_in=source)

    def test_theory_assumption_cannot_be_its_own_parent(self):
        assumption = factories.TheoryAssumptionFactory(code="SR-SELF-HELP")
        with refused_by(models.TheoryAssumption, "theoryassumption_parent_not_self"):
            models.TheoryAssumption.objects.filter(pk=assumption.pk).update(parent=assumption)

    def test_distinct_records_can_be_linked(self):
        irgc = factories.ActorFactory(name="Islamic Revolutionary Guard Corps")
        qods = factories.ActorFactory(name="Qods Force", parent=irgc)
        factories.ActorRelationFactory(subject=qods, object=irgc)
        assert qods.parent == irgc
        assert irgc.relations_in.get().subject == qods


CODED_RECORD_FACTORIES = [
    factories.SourceFactory,
    factories.ActorFactory,
    factories.EventFactory,
    factories.ThemeFactory,
    factories.TheoryAssumptionFactory,
    factories.ClaimFactory,
]
CODED_MODEL_NAMES = [factory._meta.model._meta.model_name for factory in CODED_RECORD_FACTORIES]


@pytest.fixture(params=CODED_RECORD_FACTORIES, ids=lambda factory: factory._meta.model.__name__)
def record_factory(request):
    return request.param


class TestCodedRecordConstraints:
    """Every main record: one record per key, and only the four workflow statuses."""

    def test_two_records_cannot_share_a_key(self, record_factory):
        # Two actors "Qods Force" and "Quds Force" both given the key qods-force, and so on.
        model = record_factory._meta.model
        record_factory(key="qods-force")
        with refused_by(model, f"{model._meta.model_name}_key_unique"):
            record_factory(key="qods-force")

    def test_unknown_status_is_refused(self, record_factory):
        # "published" is not a workflow status: only the services move records between the four.
        model = record_factory._meta.model
        with refused_by(model, f"{model._meta.model_name}_status_valid"):
            record_factory(status="published")


class TestUniqueness:
    def test_actor_relation_keys_are_generated_and_unique(self):
        relation = factories.ActorRelationFactory(
            subject=factories.ActorFactory(name="Qods Force"),
            relation_type=choices.ActorRelationType.SUBUNIT_OF,
            object=factories.ActorFactory(name="Islamic Revolutionary Guard Corps"),
        )
        assert relation.key == "qods-force-subunit_of-islamic-revolutionary-guard-corps"
        with refused_by(models.ActorRelation, "actorrelation_key_unique"):
            factories.ActorRelationFactory(key=relation.key)

    def test_two_assumptions_cannot_share_a_code(self):
        factories.TheoryAssumptionFactory(code="SR-ANARCHY", key="sr-anarchy")
        with refused_by(models.TheoryAssumption, "theoryassumption_code_unique"):
            factories.TheoryAssumptionFactory(code="SR-ANARCHY", key="sr-anarchy-duplicate")

    def test_actor_has_a_role_in_an_event_once(self):
        participant = factories.EventParticipantFactory(role=choices.ParticipantRole.INITIATOR)
        with refused_by(models.EventParticipant, "eventparticipant_unique_role"):
            factories.EventParticipantFactory(
                event=participant.event, actor=participant.actor, role=choices.ParticipantRole.INITIATOR
            )
        # The same actor in another role is a different fact (the initiator can also be accused).
        factories.EventParticipantFactory(
            event=participant.event, actor=participant.actor, role=choices.ParticipantRole.ACCUSED
        )

    def test_two_claims_are_related_the_same_way_once(self):
        relation = factories.ClaimRelationFactory(relation_type=choices.ClaimRelationType.CONTRADICTS)
        with refused_by(models.ClaimRelation, "claimrelation_unique"):
            factories.ClaimRelationFactory(
                claim=relation.claim, other=relation.other, relation_type=choices.ClaimRelationType.CONTRADICTS
            )

    def test_claim_is_linked_to_an_assumption_once(self):
        link = factories.ClaimAssumptionFactory(relation=choices.AssumptionRelation.SUPPORTS)
        with refused_by(models.ClaimAssumption, "claimassumption_unique"):
            factories.ClaimAssumptionFactory(
                claim=link.claim, assumption=link.assumption, relation=choices.AssumptionRelation.CHALLENGES
            )

    def test_alias_differing_only_in_case_is_refused_for_the_same_actor(self):
        actor = factories.ActorFactory(name="Qods Force")
        factories.ActorAliasFactory(actor=actor, name="Quds Force")
        with refused_by(models.ActorAlias, "actoralias_name_unique_per_actor"):
            factories.ActorAliasFactory(actor=actor, name="quds force")

    def test_same_alias_is_allowed_on_two_different_actors(self):
        # "Hajji" style ambiguous names exist; the alias table must not forbid them.
        first = factories.ActorFactory(name="Qods Force")
        second = factories.ActorFactory(name="Quds Force (Palestinian Islamic Jihad unit)")
        factories.ActorAliasFactory(actor=first, name="Quds Force")
        factories.ActorAliasFactory(actor=second, name="Quds Force")
        assert models.ActorAlias.objects.filter(name="Quds Force").count() == 2


class TestRequiredText:
    """Text columns that Django would happily store as "" are refused by the database."""

    def test_empty_claim_statement_is_refused(self):
        with refused_by(models.Claim, "claim_statement_not_blank"):
            factories.ClaimFactory(statement="")

    def test_empty_citation_quote_is_refused(self):
        with refused_by(models.Citation, "citation_quote_not_blank"):
            factories.CitationFactory(quote="")

    def test_empty_citation_locator_is_refused(self):
        with refused_by(models.Citation, "citation_locator_not_blank"):
            factories.CitationFactory(locator="")

    @pytest.mark.parametrize(
        ("factory", "model", "field"),
        [
            (factories.SourceFactory, models.Source, "title"),
            (factories.ActorFactory, models.Actor, "name"),
            (factories.EventFactory, models.Event, "title"),
            (factories.ThemeFactory, models.Theme, "name"),
            (factories.TheoryAssumptionFactory, models.TheoryAssumption, "label"),
        ],
    )
    def test_nameless_main_record_is_refused(self, factory, model, field):
        # A blank key would be generated from the name, so give one: the name alone must be refused.
        with refused_by(model, f"{model._meta.model_name}_{field}_not_blank"):
            factory(**{field: "", "key": "nameless"})

    def test_empty_alias_is_refused(self):
        with refused_by(models.ActorAlias, "actoralias_name_not_blank"):
            factories.ActorAliasFactory(name="")

    def test_empty_assumption_statement_is_refused(self):
        with refused_by(models.TheoryAssumption, "theoryassumption_statement_not_blank"):
            factories.TheoryAssumptionFactory(statement="")

    def test_empty_rationale_on_claim_assumption_is_refused(self):
        with refused_by(models.ClaimAssumption, "claimassumption_rationale_not_blank"):
            factories.ClaimAssumptionFactory(rationale="")

    def test_reported_claim_without_attribution_is_refused(self):
        with refused_by(models.Claim, "claim_reported_claim_is_attributed"):
            factories.ClaimFactory(modality=choices.Modality.REPORTS, attributed_to=None)

    def test_reported_claim_with_attribution_is_stored(self):
        kataib = factories.ActorFactory(name="Kata'ib Hizballah")
        claim = factories.ClaimFactory(modality=choices.Modality.REPORTS, attributed_to=kataib)
        assert models.Claim.objects.get(pk=claim.pk).attributed_to == kataib


def test_every_database_constraint_has_a_test_here():
    """A tripwire: a constraint added to the models must get a refusal test in this module."""
    tested = {
        *(f"{model}_{rule}" for model in CODED_MODEL_NAMES for rule in ("key_unique", "status_valid")),
        "actor_parent_not_self",
        "actor_active_to_not_before_active_from",
        "actoralias_name_unique_per_actor",
        "actoralias_name_not_blank",
        "source_title_not_blank",
        "actor_name_not_blank",
        "event_title_not_blank",
        "theme_name_not_blank",
        "theoryassumption_label_not_blank",
        "actorrelation_subject_not_self",
        "actorrelation_key_unique",
        "actorrelation_end_not_before_start",
        "event_date_end_not_before_date_start",
        "eventparticipant_unique_role",
        "theoryassumption_code_unique",
        "theoryassumption_parent_not_self",
        "theoryassumption_statement_not_blank",
        "claim_statement_not_blank",
        "claim_period_end_not_before_period_start",
        "claim_reported_claim_is_attributed",
        "citation_exactly_one_target",
        "citation_quote_not_blank",
        "citation_locator_not_blank",
        "citation_as_cited_in_not_self",
        "claimrelation_claim_not_self",
        "claimrelation_unique",
        "claimassumption_unique",
        "claimassumption_rationale_not_blank",
        "sourcelink_citing_not_self",
    }
    in_models = {
        constraint.name
        for model in apps.get_app_config("coding").get_models()
        if not model._meta.model_name.startswith("historical")
        for constraint in model._meta.constraints
    }
    assert in_models == tested


# --- The same rules as model validation ---------------------------------------------


class TestModelValidation:
    """`full_clean()` reports the rules as form errors before the database must refuse them."""

    def test_citation_with_two_targets(self):
        citation = factories.CitationFactory.build(
            source=factories.SourceFactory(), claim=factories.ClaimFactory(), event=factories.EventFactory()
        )
        with pytest.raises(ValidationError) as exc_info:
            citation.full_clean()
        assert "exactly one claim, event or actor relation" in validation_messages(exc_info)

    def test_event_ending_before_it_starts(self):
        event = factories.EventFactory.build(date_start=datetime.date(2020, 1, 3), date_end=datetime.date(2020, 1, 2))
        with pytest.raises(ValidationError) as exc_info:
            event.full_clean()
        assert "end date cannot be before the start date" in validation_messages(exc_info)

    def test_actor_relation_to_itself(self):
        actor = factories.ActorFactory(name="Popular Mobilization Forces")
        relation = factories.ActorRelationFactory.build(subject=actor, object=actor)
        with pytest.raises(ValidationError) as exc_info:
            relation.full_clean()
        assert "cannot be related to itself" in validation_messages(exc_info)

    def test_actor_as_its_own_parent(self):
        actor = factories.ActorFactory(name="Qods Force")
        actor.parent = actor
        with pytest.raises(ValidationError) as exc_info:
            actor.full_clean()
        assert "cannot be related to itself" in validation_messages(exc_info)

    def test_duplicate_alias_differing_only_in_case(self):
        actor = factories.ActorFactory(name="Qods Force")
        factories.ActorAliasFactory(actor=actor, name="Quds Force")
        alias = factories.ActorAliasFactory.build(actor=actor, name="QUDS FORCE")
        with pytest.raises(ValidationError) as exc_info:
            alias.full_clean()
        assert "already has this alias" in validation_messages(exc_info)

    def test_duplicate_key(self):
        factories.ActorFactory(name="Qods Force", key="qods-force")
        actor = factories.ActorFactory.build(name="Quds Force", key="qods-force")
        with pytest.raises(ValidationError) as exc_info:
            actor.full_clean()
        assert "used by another record" in " ".join(exc_info.value.message_dict["key"])

    def test_empty_statement(self):
        claim = factories.ClaimFactory.build(statement="")
        with pytest.raises(ValidationError) as exc_info:
            claim.full_clean()
        assert exc_info.value.message_dict["statement"] == ["This field cannot be blank."]

    def test_reported_claim_without_attribution(self):
        claim = factories.ClaimFactory.build(modality=choices.Modality.REPORTS)
        with pytest.raises(ValidationError) as exc_info:
            claim.full_clean()
        assert "needs the actor it is attributed to" in validation_messages(exc_info)

    def test_bad_assumption_code(self):
        assumption = factories.TheoryAssumptionFactory.build(code="anarchy")
        with pytest.raises(ValidationError) as exc_info:
            assumption.full_clean()
        assert "code" in exc_info.value.message_dict

    def test_valid_records_pass(self):
        # The control: the factories' defaults are valid, so the failures above are the rule's doing.
        factories.CitationFactory().full_clean()
        factories.ActorAliasFactory().full_clean()
        factories.ActorRelationFactory().full_clean()
        factories.ClaimAssumptionFactory().full_clean()
        factories.SourceLinkFactory().full_clean()
        factories.EventParticipantFactory().full_clean()


# --- Keys ------------------------------------------------------------------------


class TestKeyGeneration:
    def test_actor_key_comes_from_its_name(self):
        assert factories.ActorFactory(name="Qods Force").key == "qods-force"

    def test_event_key_starts_with_its_date(self):
        event = factories.EventFactory(title="US strike kills Soleimani", date_start=datetime.date(2020, 1, 3))
        assert event.key == "2020-01-03-us-strike-kills-soleimani"

    def test_event_without_date_is_keyed_by_title(self):
        assert factories.EventFactory(title="Protests in Basra", date_start=None).key == "protests-in-basra"

    def test_source_key_is_author_year_and_title(self):
        source = factories.SourceFactory(
            creators=[{"family": "Zimmt", "given": "Raz"}],
            issued=datetime.date(2020, 7, 14),
            title="Iran faces growing challenges in Iraq but is determined to further its vital interests",
        )
        assert source.key == "zimmt-2020-iran-faces-growing"

    def test_source_by_an_organisation_is_keyed_by_its_name(self):
        source = factories.SourceFactory(creators=[{"literal": "IRNA"}], issued=None, title="Qaani in Baghdad")
        assert source.key == "irna-qaani-in-baghdad"

    def test_claim_key_is_the_start_of_its_statement(self):
        claim = factories.ClaimFactory(
            statement="Iran's influence in Iraq declined after the killing of Qasem Soleimani in January 2020."
        )
        # At most eight words: a key is a handle, not a copy of the statement.
        assert claim.key == "irans-influence-in-iraq-declined-after-the-killing"

    def test_assumption_key_comes_from_its_code(self):
        assert factories.TheoryAssumptionFactory(code="SR-ANARCHY").key == "sr-anarchy"

    def test_collisions_get_a_numbered_suffix(self):
        keys = [factories.ActorFactory(name="Qods Force").key for _ in range(3)]
        assert keys == ["qods-force", "qods-force-2", "qods-force-3"]

    def test_explicit_key_is_kept(self):
        assert factories.ActorFactory(name="Qods Force", key="irgc-qf").key == "irgc-qf"

    def test_long_text_gives_a_key_that_fits_even_with_a_suffix(self):
        statement = " ".join(["Counterrevolutionaryintelligenceestablishments"] * 8)
        keys = [factories.ClaimFactory(statement=statement).key for _ in range(2)]
        assert all(len(key) <= KEY_MAX_LENGTH for key in keys)
        assert keys[1] == f"{keys[0]}-2"

    def test_key_of_a_deleted_record_is_never_reused(self):
        factories.ActorFactory(name="Qods Force").delete()
        assert factories.ActorFactory(name="Qods Force").key == "qods-force-2"

    def test_former_key_of_a_renamed_record_is_never_reused(self, supervisor):
        actor = factories.ActorFactory(name="Qods Force")
        actor.key = "irgc-qods-force"
        services.record_save(record=actor, user=supervisor)
        assert factories.ActorFactory(name="Qods Force").key == "qods-force-2"

    def test_full_clean_refuses_the_key_of_a_deleted_record(self):
        factories.ActorFactory(name="Qods Force").delete()
        actor = factories.ActorFactory.build(name="Islamic Revolutionary Guard Corps", key="qods-force")
        with pytest.raises(ValidationError) as exc_info:
            actor.full_clean()
        assert "never reused" in " ".join(exc_info.value.message_dict["key"])

    def test_full_clean_accepts_a_records_own_key(self):
        # A record's own history holds its key; that must not count as reuse.
        actor = factories.ActorFactory(name="Qods Force")
        actor.description = "Extraterritorial branch of the IRGC."
        actor.save()
        actor.full_clean()

    def test_keys_are_per_model(self):
        # A theme and an actor may both be "popular-mobilization-forces".
        actor = factories.ActorFactory(name="Popular Mobilization Forces")
        theme = factories.ThemeFactory(name="Popular Mobilization Forces")
        assert actor.key == theme.key == "popular-mobilization-forces"


# --- Finding actors by any of their names ---------------------------------------------


class TestActorNamed:
    @pytest.fixture
    def actors(self):
        soleimani = factories.ActorFactory(
            name="Qasem Soleimani", kind=choices.ActorKind.PERSON, sector=choices.Sector.MILITARY, country="IRN"
        )
        factories.ActorAliasFactory(actor=soleimani, name="Qassem Soleimani")
        factories.ActorAliasFactory(actor=soleimani, name="Haj Qassem")
        qods = factories.ActorFactory(name="Qods Force", sector=choices.Sector.MILITARY, country="IRN")
        factories.ActorAliasFactory(actor=qods, name="Quds Force", alias_type=choices.AliasType.TRANSLITERATION)
        factories.ActorAliasFactory(actor=qods, name="IRGC-QF")
        kataib = factories.ActorFactory(name="Kata'ib Hizballah")
        factories.ActorAliasFactory(actor=kataib, name="Kataib Hezbollah")
        pmf = factories.ActorFactory(name="Popular Mobilization Forces", kind=choices.ActorKind.COALITION)
        factories.ActorAliasFactory(actor=pmf, name="Hashd al-Shaabi", alias_type=choices.AliasType.TRANSLITERATION)
        factories.ActorAliasFactory(actor=pmf, name="pmf")
        factories.ActorFactory(name="Badr Organization")
        return {"soleimani": soleimani, "qods": qods, "kataib": kataib, "pmf": pmf}

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("Qasem Soleimani", "soleimani"),
            ("Qassem Soleimani", "soleimani"),
            ("qassem soleimani", "soleimani"),
            ("Quds Force", "qods"),
            ("QODS FORCE", "qods"),
            ("Kataib Hezbollah", "kataib"),
            ("Hashd al-Shaabi", "pmf"),
            ("  hashd al-shaabi  ", "pmf"),
        ],
    )
    def test_finds_the_actor_by_canonical_name_or_alias_ignoring_case(self, actors, name, expected):
        assert list(models.Actor.objects.named(name)) == [actors[expected]]

    def test_actor_matching_by_name_and_alias_is_found_once(self, actors):
        # "PMF" matches the alias "pmf"; with a canonical name match too there must be no duplicate.
        actors["pmf"].name = "PMF"
        actors["pmf"].save()
        assert list(models.Actor.objects.named("PMF")) == [actors["pmf"]]

    @pytest.mark.parametrize("name", ["Asaib Ahl al-Haq", "Quds", "Soleimani"])
    def test_unrelated_or_partial_names_find_nothing(self, actors, name):
        assert not models.Actor.objects.named(name).exists()


# --- Authorship and history ------------------------------------------------------------


class TestHistory:
    def test_record_save_stamps_creator_and_history_user(self, coder):
        actor = services.record_save(record=factories.ActorFactory.build(name="Qods Force"), user=coder)
        actor.refresh_from_db()
        assert actor.created_by == coder
        assert actor.updated_by == coder
        created = actor.history.get()
        assert created.history_type == "+"
        assert created.history_user == coder

    def test_a_later_save_keeps_the_creator_and_records_the_editor(self, coder, supervisor):
        actor = services.record_save(record=factories.ActorFactory.build(name="Qods Force"), user=coder)
        actor.description = "Extraterritorial branch of the IRGC."
        services.record_save(record=actor, user=supervisor, reason="Added description")
        actor.refresh_from_db()
        assert (actor.created_by, actor.updated_by) == (coder, supervisor)
        latest = actor.history.first()
        assert latest.history_type == "~"
        assert latest.history_user == supervisor
        assert latest.history_change_reason == "Added description"
        assert latest.description == "Extraterritorial branch of the IRGC."
        assert actor.history.count() == 2

    def test_record_save_validates_before_saving(self, coder):
        with pytest.raises(ValidationError):
            services.record_save(record=factories.ClaimFactory.build(statement=""), user=coder)
        assert not models.Claim.objects.exists()
        assert not models.Claim.history.exists()

    def test_claim_actor_changes_are_in_the_history(self, coder):
        claim = services.record_save(record=factories.ClaimFactory.build(), user=coder)
        qods = factories.ActorFactory(name="Qods Force")
        claim.actors.add(qods)
        history = list(claim.history.order_by("history_date", "history_id"))
        assert [record.actors.count() for record in history] == [0, 1]
        assert history[-1].actors.get().actor == qods

        claim.actors.remove(qods)
        assert claim.history.order_by("history_date", "history_id").last().actors.count() == 0

    def test_deleting_a_user_clears_them_from_the_history(self, supervisor):
        # The history's user has no constraint in the database (History): Django clears it instead.
        claim = services.record_save(record=factories.ClaimFactory.build(), user=supervisor)
        visitor = get_user_model().objects.create_user("visitor")
        citation = factories.CitationFactory(claim=claim)
        citation_id, citation._history_user = citation.pk, visitor
        citation.delete()
        deleted = models.Citation.history.get(id=citation_id, history_type="-")
        assert deleted.history_user == visitor

        visitor.delete()
        deleted.refresh_from_db()
        assert deleted.history_user_id is None
        assert claim.history.get().history_user == supervisor  # nobody else's history is touched

    def test_a_user_who_created_records_cannot_be_deleted(self, coder):
        services.record_save(record=factories.ClaimFactory.build(), user=coder)
        with pytest.raises(ProtectedError):
            coder.delete()
        assert models.Claim.history.get().history_user == coder


# --- Source creators and countries -----------------------------------------------------


class TestCreators:
    TEXT = "Waltz, Kenneth N.\nHuman Rights Watch"
    NAMES = [{"family": "Waltz", "given": "Kenneth N."}, {"literal": "Human Rights Watch"}]

    def test_field_parses_people_and_organisations(self):
        assert CreatorsField(required=False).clean(self.TEXT) == self.NAMES

    def test_field_ignores_blank_lines_and_surrounding_space(self):
        assert CreatorsField(required=False).clean("  Waltz ,  Kenneth N. \n\n Human Rights Watch \n") == self.NAMES

    def test_family_name_alone_has_no_given_name(self):
        assert CreatorsField(required=False).clean("Mearsheimer,") == [{"family": "Mearsheimer"}]

    def test_field_renders_names_back_as_lines(self):
        assert CreatorsField().prepare_value(self.NAMES) == self.TEXT

    def test_source_form_shows_stored_creators_as_text(self):
        # Stored as CSL name objects, edited as one line per creator.
        source = factories.SourceFactory(creators=self.NAMES)
        assert SourceForm(instance=source)["creators"].value() == self.TEXT

    def test_creators_display_joins_names(self):
        assert factories.SourceFactory(creators=self.NAMES).creators_display == "Waltz, Kenneth N.; Human Rights Watch"

    def test_valid_creators_pass(self):
        validate_creators(self.NAMES)
        validate_creators([])

    @pytest.mark.parametrize(
        "value",
        [
            {"family": "Waltz"},  # not a list
            ["Waltz, Kenneth N."],  # a string, not a name object
            [{"given": "Kenneth N."}],  # no family or literal name
            [{"family": ""}],  # empty family name
            [{"family": "Waltz", "middle": "Neal"}],  # unknown part
        ],
    )
    def test_bad_shapes_are_rejected(self, value):
        with pytest.raises(ValidationError):
            validate_creators(value)

    def test_source_full_clean_rejects_bad_creators(self):
        source = factories.SourceFactory.build(creators=[{"given": "Raz"}])
        with pytest.raises(ValidationError) as exc_info:
            source.full_clean()
        assert "creators" in exc_info.value.message_dict


class TestCountry:
    @pytest.mark.parametrize("code", ["IRN", "IRQ", "USA"])
    def test_iso_alpha_3_codes_are_accepted(self, code):
        validate_country(code)

    @pytest.mark.parametrize("code", ["XXX", "IR", "IRAN", "364"])
    def test_other_codes_are_rejected(self, code):
        with pytest.raises(ValidationError):
            validate_country(code)

    def test_lowercase_codes_are_rejected(self):
        # pycountry finds "irn" too; stored as typed it would split IRN and irn in filters and facets.
        with pytest.raises(ValidationError):
            validate_country("irn")

    def test_actor_full_clean_rejects_unknown_country(self):
        actor = factories.ActorFactory.build(name="Qods Force", country="XXX")
        with pytest.raises(ValidationError) as exc_info:
            actor.full_clean()
        assert "country" in exc_info.value.message_dict


# --- Roles -----------------------------------------------------------------------


def group_codenames(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


class TestRoles:
    def test_migrations_create_the_three_groups_with_their_permissions(self):
        assert set(ROLE_PERMISSIONS) == {"Coder", "Supervisor", "Viewer"}
        for role, codenames in ROLE_PERMISSIONS.items():
            assert group_codenames(role) == codenames

    def test_roles_cover_every_coding_model(self):
        # A model added later without a line in roles.py would be invisible to every role.
        model_names = {
            model._meta.model_name
            for model in apps.get_app_config("coding").get_models()
            if not model._meta.model_name.startswith("historical")
        }
        assert len(model_names) == 13
        for model_name in model_names:
            assert {f"{action}_{model_name}" for action in ("view", "add", "change", "delete")} <= group_codenames(
                "Supervisor"
            )
            assert {f"{action}_{model_name}" for action in ("view", "add", "change", "delete")} <= group_codenames(
                "Coder"
            )
            assert f"view_{model_name}" in group_codenames("Viewer")

    def test_viewer_only_looks_and_only_supervisors_review(self):
        assert {codename.split("_", 1)[0] for codename in group_codenames("Viewer")} == {"view"}
        assert not {codename for codename in group_codenames("Coder") if codename.startswith("review_")}

    def test_personas_get_their_permissions_through_the_groups(self, coder, viewer):
        assert coder.has_perm("coding.add_claim")
        assert coder.has_perm("coding.change_citation")
        assert viewer.has_perm("coding.view_claim")
        assert not viewer.has_perm("coding.add_claim")
        assert not viewer.has_perm("coding.change_actor")

    def test_sync_roles_is_idempotent(self):
        before = {role: group_codenames(role) for role in ROLE_PERMISSIONS}
        call_command("sync_roles", stdout=io.StringIO())
        call_command("sync_roles", stdout=io.StringIO())
        assert Group.objects.filter(name__in=ROLE_PERMISSIONS).count() == 3
        assert {role: group_codenames(role) for role in ROLE_PERMISSIONS} == before

    def test_sync_roles_repairs_drift(self):
        coder = Group.objects.get(name="Coder")
        coder.permissions.remove(Permission.objects.get(codename="add_claim"))
        viewer = Group.objects.get(name="Viewer")
        viewer.permissions.add(Permission.objects.get(codename="delete_claim"))
        Group.objects.get(name="Supervisor").delete()

        call_command("sync_roles", stdout=io.StringIO())

        for role, codenames in ROLE_PERMISSIONS.items():
            assert group_codenames(role) == codenames

    def test_staff_user_outside_the_groups_has_no_coding_permission(self):
        user = get_user_model().objects.create_user(username="outsider", is_staff=True)
        assert not user.has_perm("coding.view_claim")
