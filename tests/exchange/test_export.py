"""CSV export: formula-safe cells in every dataset (the coding sheet included), the same
bytes on SQLite and PostgreSQL (golden files, and on PostgreSQL under a locale collation),
approved-only default exports that name only what they hold, the BOM, the export_csv
command, the admin's "Download CSV" of a filtered changelist, and streaming in blocks.

The golden files in tests/exchange/golden/ were generated once from `golden_world` and
read by eye. CI runs this module on SQLite and on PostgreSQL: equality with the same file
on both proves equal bytes. To regenerate after a deliberate format change, run the
golden test with UPDATE_GOLDEN=1 and read the diff before committing it.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from influence_db.coding import choices, models
from influence_db.coding.choices import Status
from influence_db.exchange import export
from influence_db.exchange.coding_sheet import COLUMNS as CODING_SHEET_COLUMNS
from influence_db.exchange.datasets import DATASETS, MODEL_DATASETS
from influence_db.exchange.management.commands import export_csv as export_csv_command
from influence_db.exchange.sql import Dialect
from tests.conftest import HttpsClient
from tests.helpers import admin_url

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
BOM = b"\xef\xbb\xbf"
ON_POSTGRESQL = connection.vendor == "postgresql"

UTC = datetime.UTC


# Every dataset export_csv knows: the SQL ones of datasets.DATASETS, and the coding sheet.
NAMES = export.dataset_names()


def export_bytes(name: str, **options: object) -> bytes:
    if name in DATASETS:
        return b"".join(export.stream_csv(DATASETS[name], **options))
    return b"".join(export.stream_dataset(name, **options))


def header_of(name: str) -> list[str]:
    if name in DATASETS:
        return DATASETS[name].header(Dialect(connection.vendor))
    assert name == export.CODING_SHEET
    return CODING_SHEET_COLUMNS


def parse(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def rows_as_dicts(data: bytes) -> list[dict[str, str]]:
    header, *rows = parse(data)
    return [dict(zip(header, row, strict=True)) for row in rows]


# --- The fixed world of the golden files ------------------------------------------


def at(day: int, hour: int, minute: int, second: int = 0, microsecond: int = 0) -> datetime.datetime:
    return datetime.datetime(2024, 3, day, hour, minute, second, microsecond, tzinfo=UTC)


def golden_world() -> None:
    """Every dataset's records, with everything that could make two databases print differently."""
    User = get_user_model()
    amina = User.objects.create_user(username="amina.coder", password=None)
    reza = User.objects.create_user(username="reza_supervisor", password=None)

    # Sources: literal and family/given creators in stored (not alphabetical) order,
    # quotes, commas and newlines, Arabic script, NULL dates and empty strings.
    zimmt = models.Source.objects.create(
        key="zimmt-2020-iran-faces",
        csl_type=choices.CslType.REPORT,
        title='Iran faces growing challenges in Iraq, "again"',
        creators=[{"family": "Zimmt", "given": "Raz"}, {"literal": "Meir Amit Center"}],
        issued=datetime.date(2020, 7, 14),
        publisher="Meir Amit Intelligence and Terrorism Information Center",
        publisher_place="Ramat Hasharon",
        language="en",
        is_coded_document=True,
        notes="Coded in full.\nSecond reading: sections 3 and 4.",
        status=Status.APPROVED,
    )
    irna = models.Source.objects.create(
        key="irna-2020-qaani-meets",
        csl_type=choices.CslType.ARTICLE_NEWSPAPER,
        title="قاآني يلتقي مسؤولين عراقيين في بغداد",
        creators=[{"literal": "IRNA"}],
        issued=datetime.date(2020, 6, 3),
        container_title="Islamic Republic News Agency",
        url="https://www.irna.ir/news/83806100",
        accessed=datetime.date(2021, 1, 5),
        language="ar",
        outlet_affiliation="Iranian state news agency",
        status=Status.APPROVED,
    )
    waltz = models.Source.objects.create(
        key="waltz-1979-theory",
        csl_type=choices.CslType.BOOK,
        title="Theory of International Politics",
        creators=[{"family": "Waltz", "given": "Kenneth N."}],
        issued=datetime.date(1979, 1, 1),
        issued_precision=choices.DatePrecision.YEAR,
        publisher="Addison-Wesley",
        publisher_place="Reading, MA",
        pages="251",
        status=Status.SUBMITTED,
    )
    crisis = models.Source.objects.create(
        key="crisis-group-2020-iraq",
        csl_type=choices.CslType.REPORT,
        title="Iraq's Paramilitary Groups: The Challenge of Rebuilding a Functioning State",
        creators=[
            {"literal": "International Crisis Group"},
            {"family": "Knights", "given": "Michael"},
            {"family": "Al-Salhy", "given": ""},
        ],
        volume="188",
        doi="10.1000/icg.188",
        status=Status.DRAFT,
    )
    models.Source.objects.create(
        key="anonymous-leaflet",
        csl_type=choices.CslType.DOCUMENT,
        title='=HYPERLINK("http://evil","Leaflet")',
        creators=[],
        issued=None,
        status=Status.RETURNED,
        review_comment="Who wrote it? Add the author,\nor the issuing body.",
    )
    # "irna-2020-…" before "irna2019" in bytes; a locale ignores the hyphen and puts 2019 first.
    irna_2019 = models.Source.objects.create(
        key="irna2019",
        csl_type=choices.CslType.ARTICLE_NEWSPAPER,
        title="IRNA: statement on the Najaf consulate",
        creators=[{"literal": "IRNA"}],
        issued=datetime.date(2019, 11, 28),
        status=Status.APPROVED,
    )

    # Actors: keys that sort differently under a locale collation (al-ameri, al-muhandis,
    # alameri), names with a leading apostrophe, lower-case "al-" before capitals.
    irgc = models.Actor.objects.create(
        key="irgc",
        name="Islamic Revolutionary Guard Corps",
        kind=choices.ActorKind.ORGANIZATION,
        sector=choices.Sector.MILITARY,
        country="IRN",
        status=Status.APPROVED,
    )
    qf = models.Actor.objects.create(
        key="irgc-qf",
        name="IRGC Quds Force",
        kind=choices.ActorKind.ORGANIZATION,
        sector=choices.Sector.MILITARY,
        country="IRN",
        parent=irgc,
        description="External operations branch of the IRGC.",
        status=Status.APPROVED,
    )
    aah = models.Actor.objects.create(
        key="asaib-ahl-al-haq",
        name="'Asa'ib Ahl al-Haq",
        kind=choices.ActorKind.ORGANIZATION,
        sector=choices.Sector.MILITIA,
        country="IRQ",
        status=Status.APPROVED,
    )
    muhandis = models.Actor.objects.create(
        key="al-muhandis",
        name="al-Muhandis, Abu Mahdi",
        kind=choices.ActorKind.PERSON,
        sector=choices.Sector.MILITIA,
        country="IRQ",
        active_to=datetime.date(2020, 1, 3),
        status=Status.APPROVED,
    )
    ameri = models.Actor.objects.create(
        key="al-ameri",
        name="Hadi al-Ameri",
        kind=choices.ActorKind.PERSON,
        sector=choices.Sector.PARTY,
        country="IRQ",
        description='Leads the Badr Organization; "Fatah" list in 2018.',
        status=Status.APPROVED,
    )
    alameri = models.Actor.objects.create(
        key="alameri",
        name="هادي العامري",
        kind=choices.ActorKind.PERSON,
        sector=choices.Sector.OTHER,
        notes="Duplicate of al-ameri? Check before merging.",
        status=Status.SUBMITTED,
    )
    kh = models.Actor.objects.create(
        key="kataib-hezbollah",
        name="Kata'ib Hezbollah",
        kind=choices.ActorKind.ORGANIZATION,
        sector=choices.Sector.MILITIA,
        country="IRQ",
        wikidata_qid="Q1739418",
        active_from=datetime.date(2007, 1, 1),
        status=Status.DRAFT,
    )
    badr = models.Actor.objects.create(
        key="badr",
        name="Badr Organization",
        kind=choices.ActorKind.ORGANIZATION,
        sector=choices.Sector.PARTY,
        country="IRQ",
        status=Status.RETURNED,
        review_comment='Add the "Badr Corps" period, please.',
    )

    for actor, name, alias_type, language, script in [
        (qf, "Quds Force", choices.AliasType.SPELLING_VARIANT, "en", "Latn"),
        (qf, "سپاه قدس", choices.AliasType.TRANSLATION, "fa", "Arab"),
        (qf, "Qods Force", choices.AliasType.SPELLING_VARIANT, "en", "Latn"),
        (qf, "IRGC-QF", choices.AliasType.ACRONYM, "", ""),
        (aah, "عصائب أهل الحق", choices.AliasType.TRANSLITERATION, "ar", "Arab"),
        (aah, "AAH", choices.AliasType.ACRONYM, "en", "Latn"),
        (aah, "al-Asa'ib", choices.AliasType.SPELLING_VARIANT, "en", "Latn"),  # lower case: after "League" in bytes
        (aah, "League of the Righteous", choices.AliasType.TRANSLATION, "en", "Latn"),
        (kh, "KH", choices.AliasType.ACRONYM, "en", "Latn"),
        (muhandis, "Jamal Jaafar Ibrahimi", choices.AliasType.FORMER_NAME, "en", "Latn"),
    ]:
        models.ActorAlias.objects.create(
            actor=actor, name=name, alias_type=alias_type, language=language, script=script
        )

    for key, subject, relation_type, obj, start, start_precision, end, notes in [
        ("irgc-qf-subunit-of-irgc", qf, "subunit_of", irgc, datetime.date(1990, 1, 1), "year", None, ""),
        (
            "al-muhandis-leads-kataib-hezbollah",
            muhandis,
            "leads",
            kh,
            datetime.date(2007, 1, 1),
            "year",
            datetime.date(2020, 1, 3),
            'Per the US Treasury, 2009.\nSee also fn. 4, "designation".',
        ),
        ("al-ameri-allied-with-irgc-qf", ameri, "allied_with", qf, None, "day", None, ""),
        ("al-ameri-rival-of-asaib-ahl-al-haq", ameri, "rival_of", aah, datetime.date(2018, 5, 12), "day", None, ""),
        ("alameri-member-of-badr", alameri, "member_of", badr, None, "day", None, ""),
    ]:
        models.ActorRelation.objects.create(
            key=key,
            subject=subject,
            relation_type=relation_type,
            object=obj,
            start=start,
            start_precision=start_precision,
            end=end,
            end_precision="day",
            notes=notes,
        )

    soleimani = models.Event.objects.create(
        key="2020-01-03-soleimani-killed",
        title="US strike kills Soleimani and al-Muhandis near Baghdad airport",
        event_type=choices.EventType.ASSAULT,
        date_start=datetime.date(2020, 1, 3),
        date_as_written="3 January 2020, shortly after midnight",
        location="Baghdad International Airport",
        country="IRQ",
        description="Drone strike on a convoy.\nBoth men were killed.",
        status=Status.APPROVED,
    )
    visit = models.Event.objects.create(
        key="2020-06-03-qaani-visits-baghdad",
        title="Qaani's first visit to Baghdad",
        event_type=choices.EventType.CONSULT,
        date_start=datetime.date(2020, 6, 1),
        date_end=datetime.date(2020, 6, 7),
        date_precision=choices.DatePrecision.WEEK,
        date_as_written="early June 2020",
        location="بغداد",
        country="IRQ",
        status=Status.DRAFT,
    )
    undated = models.Event.objects.create(
        key="rocket-fire-green-zone",
        title="Rocket fire on the Green Zone",
        event_type=choices.EventType.ASSAULT,
        status=Status.APPROVED,
    )
    # Participants added out of order; several actors and roles per event.
    for event, actor, role in [
        (soleimani, qf, "target"),
        (soleimani, muhandis, "target"),
        (soleimani, kh, "accused"),
        (soleimani, alameri, "participant"),
        (soleimani, ameri, "participant"),
        (visit, ameri, "participant"),
        (visit, qf, "initiator"),
        (visit, qf, "participant"),
    ]:
        models.EventParticipant.objects.create(event=event, actor=actor, role=role)
    del undated

    protest = models.Theme.objects.create(
        key="anti-iranian-protest",
        kind=choices.ThemeKind.CHALLENGE,
        name="Growing anti-Iranian protest in Iraq",
        description="Protesters in Baghdad and the south turn against Iranian influence.",
        source=zimmt,
        status=Status.APPROVED,
    )
    cohesion = models.Theme.objects.create(
        key="militia-cohesion",
        kind=choices.ThemeKind.CHALLENGE,
        name="al-Muhandis's death and militia cohesion",
        status=Status.DRAFT,
    )
    pmf = models.Theme.objects.create(
        key="influence-via-pmf",
        kind=choices.ThemeKind.RESPONSE,
        name="النفوذ عبر الحشد الشعبي",
        source=zimmt,
        notes="Heading of section 4.",
        status=Status.APPROVED,
    )
    models.Theme.objects.create(
        key="influencers",  # after "influence-via-pmf" in bytes, before it in a locale
        kind=choices.ThemeKind.OTHER,
        name="Influencers in Iraqi media",
        status=Status.SUBMITTED,
    )

    anarchy = models.TheoryAssumption.objects.create(
        key="sr-anarchy",
        code="SR-ANARCHY",
        label="Anarchy",
        statement="The international system has no central authority, so states rely on themselves.",
        proponents="Kenneth Waltz; John Mearsheimer",
        source=waltz,
        source_locator="pp. 88-93",
        status=Status.APPROVED,
    )
    self_help = models.TheoryAssumption.objects.create(
        key="sr-self-help",
        code="SR-SELF-HELP",
        label="Self-help",
        statement='Each state must ensure its own survival; "help yourself".',
        source=waltz,
        source_locator="p. 111",
        parent=anarchy,
        status=Status.APPROVED,
    )
    maximize = models.TheoryAssumption.objects.create(
        key="sr-off-maximize",
        code="SR-OFF-MAXIMIZE",
        branch=choices.Branch.OFFENSIVE,
        label="-Power maximization",
        statement="States seek as much relative power as they can get.",
        parent=anarchy,
        status=Status.SUBMITTED,
    )
    offense = models.TheoryAssumption.objects.create(
        key="sr-offense-dominance",  # after SR-OFF-MAXIMIZE in bytes, before it in a locale
        code="SR-OFFENSE-DOMINANCE",
        branch=choices.Branch.DEFENSIVE,
        label="Offense dominance",
        statement="When offense has the advantage, states expand.",
        status=Status.APPROVED,
    )

    lacks = models.Claim.objects.create(
        key="qaani-lacks-soleimanis-stature",
        statement="Qaani lacks Soleimani's stature and ties with the militias, \"especially\" Kata'ib Hezbollah.",
        kind=choices.ClaimKind.INTERPRETIVE,
        confidence=choices.Confidence.MEDIUM,
        period_start=datetime.date(2020, 1, 3),
        period_end=datetime.date(2020, 7, 14),
        status=Status.APPROVED,
    )
    lacks.actors.add(kh)
    lacks.actors.add(qf, muhandis)
    lacks.events.add(soleimani)
    lacks.themes.add(cohesion, protest)
    preserve = models.Claim.objects.create(
        key="iran-seeks-to-preserve-pmf",
        statement="يسعى إيران إلى الحفاظ على الحشد الشعبي as a lever.",
        kind=choices.ClaimKind.INTENT,
        modality=choices.Modality.REPORTS,
        attributed_to=ameri,
        status=Status.APPROVED,
    )
    preserve.actors.add(badr, alameri, ameri, aah)
    preserve.themes.add(pmf)
    preserve.events.add(visit, soleimani)
    protests_2019 = models.Claim.objects.create(
        key="protests2019",
        statement="+ Protesters burned the Iranian consulate in Najaf.",
        kind=choices.ClaimKind.FACTUAL,
        status=Status.DRAFT,
    )
    protests_2020 = models.Claim.objects.create(
        key="protests-2020",
        statement="Protests resumed after the strike.",
        kind=choices.ClaimKind.FACTUAL,
        confidence=choices.Confidence.LOW,
        notes="",
        status=Status.SUBMITTED,
    )
    protests_2019_hyphen = models.Claim.objects.create(
        key="protests-2019",
        statement="Protesters targeted Iranian consulates.",
        kind=choices.ClaimKind.FACTUAL,
        status=Status.APPROVED,
    )
    protests_2019_hyphen.themes.add(protest, pmf, cohesion)

    for claim, assumption, relation, attribution, rationale in [
        (lacks, self_help, "illustrates", "coder", "Iran keeps its own channel to the militias."),
        (lacks, anarchy, "supports", "source", 'The report calls it "a self-help system".'),
        (preserve, maximize, "challenges", "coder", "=Preserving, not maximizing."),
        (protests_2019_hyphen, anarchy, "qualifies", "coder", "Line one,\nline two."),
        (protests_2020, offense, "illustrates", "coder", "After the strike."),
        (protests_2019, offense, "challenges", "source", "After the strike."),
    ]:
        models.ClaimAssumption.objects.create(
            claim=claim, assumption=assumption, relation=relation, attribution=attribution, rationale=rationale
        )

    for claim, relation_type, other, note in [
        (lacks, "corroborates", preserve, "Same visit, two sources."),
        (lacks, "elaborates", protests_2020, ""),
        (preserve, "contradicts", lacks, 'He says "nothing changed".'),
        (protests_2019, "contradicts", protests_2019_hyphen, ""),
        (protests_2019_hyphen, "corroborates", protests_2020, "عن نفس الاحتجاجات"),
        (protests_2020, "elaborates", protests_2019, ""),
    ]:
        models.ClaimRelation.objects.create(claim=claim, relation_type=relation_type, other=other, note=note)

    relation = models.ActorRelation.objects.get(key="al-muhandis-leads-kataib-hezbollah")
    for target, source, locator_type, locator, quote, as_cited_in in [
        ({"claim": lacks}, zimmt, "page", "4", "Qaani lacks the charisma,\nand the ties, of Soleimani.", None),
        ({"claim": lacks}, zimmt, "page", "12", 'The militias "do not obey" him.', None),
        ({"claim": lacks}, zimmt, "page", "Table 2", "Attacks by month.", None),  # "T" before "f" in bytes
        ({"claim": lacks}, zimmt, "footnote", "fn. 3", "Attacks by month.", None),
        ({"claim": lacks}, irna, "paragraph", "¶3", "قاآني التقى بقادة الفصائل", zimmt),
        ({"claim": preserve}, crisis, "section", "§2", "Iran wants the Hashd preserved.", None),
        ({"claim": preserve}, zimmt, "footnote", "fn. 14", "-as reported by al-Ameri", irna),
        ({"claim": protests_2019}, zimmt, "page", "7", "The consulate was set on fire.", None),
        ({"claim": protests_2019_hyphen}, zimmt, "page", "7", "Consulates were attacked.", None),
        ({"event": soleimani}, zimmt, "page", "5", "Soleimani was killed at Baghdad airport.", None),
        ({"event": visit}, irna, "paragraph", "¶1", "زيارة قاآني", None),
        ({"actor_relation": relation}, crisis, "section", "§2", "Al-Muhandis founded Kata'ib Hezbollah.", None),
        (
            {"actor_relation": models.ActorRelation.objects.get(key="irgc-qf-subunit-of-irgc")},
            zimmt,
            "page",
            "2",
            "The Quds Force is the IRGC's external arm.",
            None,
        ),
    ]:
        models.Citation.objects.create(
            source=source, locator_type=locator_type, locator=locator, quote=quote, as_cited_in=as_cited_in, **target
        )

    for citing, cited, footnote, locator, relation_type in [
        (zimmt, irna, 14, "§2 ¶3", "quotes"),
        (zimmt, waltz, None, "", "draws_on"),
        (crisis, zimmt, 3, "p. 2, fn. 3", "cites"),
        (zimmt, crisis, 21, "§4", "disputes"),
        (irna, zimmt, None, '"Hebrew press"', "cites"),
        (irna_2019, irna, 1, "", "cites"),
    ]:
        models.SourceLink.objects.create(
            citing=citing, cited=cited, footnote=footnote, locator=locator, relation=relation_type
        )

    stamp(amina, reza)


def stamp(coder, reviewer) -> None:
    """Fixed authorship and timestamps, written with update() after every save is done."""
    minute = 0
    for model in (models.Source, models.Actor, models.Event, models.Theme, models.TheoryAssumption, models.Claim):
        # Sorted here, by bytes: the database's own order may follow a locale collation.
        for record in sorted(model.objects.all(), key=lambda record: record.key.encode()):
            minute += 7
            # Microseconds that must be cut, never rounded: both databases print whole seconds.
            created = at(1, 9, 0, 59, 999999) + datetime.timedelta(minutes=minute)
            fields = {
                "created_by": coder,
                "created_at": created,
                "updated_by": coder,
                "updated_at": created + datetime.timedelta(days=1, seconds=1),
                "submitted_at": None,
                "reviewed_by": None,
                "reviewed_at": None,
            }
            if record.status != Status.DRAFT:
                fields["submitted_at"] = created + datetime.timedelta(days=2, microseconds=500000)
            if record.status in (Status.APPROVED, Status.RETURNED):
                fields["reviewed_by"] = reviewer
                fields["reviewed_at"] = created + datetime.timedelta(days=3)
                fields["updated_by"] = reviewer
            model.objects.filter(pk=record.pk).update(**fields)


GOLDEN_DATASETS = NAMES


@pytest.mark.parametrize("name", GOLDEN_DATASETS)
def test_export_matches_golden_file(name):
    golden_world()
    data = export_bytes(name, all_statuses=True)
    path = GOLDEN / f"{name}.csv"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert data == path.read_bytes()


@pytest.mark.parametrize("name", GOLDEN_DATASETS)
def test_null_and_empty_text_are_both_an_unquoted_empty_cell(name):
    """COPY quotes an empty string ("") but not NULL: the SQL must turn empty text into NULL."""
    golden_world()
    for line in export_bytes(name, all_statuses=True).split(b"\n"):
        assert not re.search(rb'(^|,)""(,|$)', line), line


def use_locale_collation_for_every_text_column() -> None:
    """PostgreSQL only: give every text column of the coding tables a collation that sorts
    like en_US does (punctuation ignored, lower case before upper case), so that
    "alameri" sorts before "al-muhandis". The DDL is rolled back with the test."""
    tables = [
        model._meta.db_table
        for model in apps.get_app_config("coding").get_models()
        if not model.__name__.startswith("Historical")
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE COLLATION test_en_shifted (provider = icu, locale = 'en-u-ka-shifted')")
        cursor.execute(
            "SELECT table_name, column_name, CASE WHEN data_type = 'text' THEN 'text' "
            "ELSE 'varchar(' || character_maximum_length || ')' END "
            "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY(%s) "
            "AND data_type IN ('text', 'character varying') ORDER BY table_name, column_name",
            [tables],
        )
        columns = cursor.fetchall()
        assert len(columns) > 40, columns
        for table_name, column_name, column_type in columns:
            cursor.execute(
                f'ALTER TABLE "{table_name}" ALTER COLUMN "{column_name}" TYPE {column_type} COLLATE test_en_shifted'
            )


@pytest.mark.skipif(not ON_POSTGRESQL, reason="column collations: PostgreSQL only (SQLite compares bytes)")
@pytest.mark.parametrize("name", GOLDEN_DATASETS)
def test_export_ignores_a_locale_collation_on_postgresql(name):
    use_locale_collation_for_every_text_column()
    golden_world()
    # The database now sorts like a locale (the export must not follow it).
    keys = list(models.Actor.objects.order_by("key").values_list("key", flat=True))
    assert keys[:3] == ["al-ameri", "alameri", "al-muhandis"]
    assert export_bytes(name, all_statuses=True) == (GOLDEN / f"{name}.csv").read_bytes()


@pytest.mark.parametrize(
    "creators",
    [
        pytest.param([{"family": "Waltz", "given": "Kenneth N."}], id="family-given"),
        pytest.param([{"family": "Mearsheimer"}], id="family-only"),
        pytest.param([{"family": "Zimmt", "given": ""}], id="empty-given"),
        pytest.param([{"family": "Zimmt", "given": None}], id="null-given"),
        pytest.param([{"literal": "International Crisis Group"}], id="literal"),
        pytest.param([{"family": "", "given": "Raz", "literal": "IRNA"}], id="literal-wins"),
        pytest.param([{"literal": "IRNA"}, {"family": "Zimmt", "given": "Raz"}, {"family": "Al-Salhy"}], id="order"),
        pytest.param([], id="none"),
        pytest.param(
            [{"family": "Zimmt", "given": "Raz", "literal": ""}],
            id="empty-literal",
        ),
        pytest.param(
            [{"family": "Zimmt", "given": "Raz"}, {"given": "Ali"}],
            id="given-only",
        ),
    ],
)
def test_creators_are_exported_as_the_model_displays_them(creators):
    source = models.Source.objects.create(key="s", csl_type="report", title="T", creators=creators, status="approved")
    (row,) = rows_as_dicts(export_bytes("sources"))
    assert row["creators"] == source.creators_display


# --- Formula payloads in every column a user can fill -----------------------------

PAYLOADS = [
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\tTAB",
    "\rCR",
    "'Asa'ib Ahl al-Haq",  # the escape mark itself: comes back with two
]


def fit(model: type, field: str, value: str) -> str:
    """The payload cut to the column's length (PostgreSQL enforces it); it still starts the same."""
    max_length = model._meta.get_field(field).max_length
    return value[:max_length] if max_length else value


def filled(model: type, payload: str, *fields: str) -> dict[str, str]:
    return {field: fit(model, field, payload) for field in fields}


SOURCE_TEXT = (
    "title",
    "container_title",
    "publisher",
    "publisher_place",
    "volume",
    "issue",
    "pages",
    "url",
    "doi",
    "language",
    "outlet_affiliation",
    "notes",
    "review_comment",
)
ACTOR_TEXT = ("name", "description", "wikidata_qid", "notes", "review_comment")
ALIAS_TEXT = ("name", "language", "script")
EVENT_TEXT = ("title", "date_as_written", "location", "description", "notes", "review_comment")
THEME_TEXT = ("name", "description", "notes", "review_comment")
ASSUMPTION_TEXT = ("label", "statement", "proponents", "source_locator", "notes", "review_comment")
CLAIM_TEXT = ("statement", "notes", "review_comment")
CITATION_TEXT = ("locator", "quote")

# Columns no user can start with a formula: keys and codes (slugs, validated codes),
# choices, dates, timestamps, booleans, numbers, and the status. (Usernames: see below.)
REVIEW = (
    "status",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
)
NOT_USER_TEXT = {
    "sources": ("key", "csl_type", "issued", "issued_precision", "accessed", "is_coded_document", *REVIEW),
    "source-links": ("citing", "cited", "footnote", "relation"),
    "actors": ("key", "kind", "sector", "country", "parent", "active_from", "active_to", *REVIEW),
    "aliases": ("actor", "alias_type"),
    "actor-relations": (
        "key",
        "subject",
        "relation_type",
        "object",
        "start",
        "start_precision",
        "end",
        "end_precision",
    ),
    "events": ("key", "event_type", "date_start", "date_end", "date_precision", "country", "participants", *REVIEW),
    "themes": ("key", "kind", "source", *REVIEW),
    "assumptions": ("code", "theory", "branch", "source", "parent", *REVIEW),
    "claims-full": (
        "key",
        "kind",
        "modality",
        "attributed_to",
        "confidence",
        "actors",
        "events",
        "themes",
        "assumptions",
        "period_start",
        "period_end",
        *REVIEW,
    ),
    "citations": ("target_type", "target", "source", "locator_type", "as_cited_in"),
    "claim-assumptions": ("claim", "assumption", "relation", "attribution"),
    "claim-relations": ("claim", "relation_type", "other"),
    "claims": (
        "claim",
        "kind",
        "modality",
        "confidence",
        "period_start",
        "period_end",
        "source",
        "locator_type",
        "status",
    ),
    "coding-sheet": (
        "claim",
        "source",
        "locator_type",
        "as_cited_in",
        "kind",
        "modality",
        "attributed_to",
        "confidence",
        "actors",
        "events",
        "themes",
        "period_start",
        "period_end",
        "assumptions",
        "link_by",
    ),
}


def payload_world(payload: str) -> dict[str, tuple[str, str, dict[str, str]]]:
    """One record of each kind whose every user-filled text carries `payload`.

    Returns, per dataset: (column, value) naming the row to look at, and the raw
    (unescaped) text each user-filled column of that row must show."""
    p = payload
    source = models.Source.objects.create(
        key="payload-source",
        csl_type=choices.CslType.REPORT,
        creators=[{"literal": p}],
        status=Status.APPROVED,
        **filled(models.Source, p, *SOURCE_TEXT),
    )
    plain_source = models.Source.objects.create(key="plain-source", csl_type="book", title="Plain", status="approved")
    parent = models.Actor.objects.create(key="parent-actor", name="Parent", kind="organization", status="approved")
    actor = models.Actor.objects.create(
        key="payload-actor",
        kind="organization",
        parent=parent,
        status="approved",
        **filled(models.Actor, p, *ACTOR_TEXT),
    )
    models.ActorAlias.objects.create(actor=actor, **filled(models.ActorAlias, p, *ALIAS_TEXT))
    relation = models.ActorRelation.objects.create(
        key="payload-relation", subject=actor, relation_type="subunit_of", object=parent, notes=p
    )
    event = models.Event.objects.create(
        key="payload-event", event_type="assault", status="approved", **filled(models.Event, p, *EVENT_TEXT)
    )
    models.EventParticipant.objects.create(event=event, actor=actor, role="accused")
    theme = models.Theme.objects.create(
        key="payload-theme", kind="challenge", source=source, status="approved", **filled(models.Theme, p, *THEME_TEXT)
    )
    assumption = models.TheoryAssumption.objects.create(
        key="sr-payload",
        code="SR-PAYLOAD",
        source=source,
        status="approved",
        **filled(models.TheoryAssumption, p, *ASSUMPTION_TEXT),
    )
    claim = models.Claim.objects.create(
        key="payload-claim",
        kind="factual",
        modality="reports",
        attributed_to=actor,
        status="approved",
        **filled(models.Claim, p, *CLAIM_TEXT),
    )
    claim.actors.add(actor)
    claim.themes.add(theme)
    claim.events.add(event)
    other = models.Claim.objects.create(key="plain-claim", kind="factual", statement="Plain.", status="approved")
    models.ClaimRelation.objects.create(claim=claim, relation_type="corroborates", other=other, note=p)
    models.ClaimAssumption.objects.create(claim=claim, assumption=assumption, relation="illustrates", rationale=p)
    citation_text = filled(models.Citation, p, *CITATION_TEXT)
    models.Citation.objects.create(source=source, claim=claim, as_cited_in=plain_source, **citation_text)
    models.Citation.objects.create(source=source, actor_relation=relation, **citation_text)
    models.Citation.objects.create(source=source, event=event, **citation_text)
    models.SourceLink.objects.create(citing=source, cited=plain_source, locator=fit(models.SourceLink, "locator", p))

    def text_of(record: object, *fields: str) -> dict[str, str]:
        return {field: getattr(record, field) for field in fields}

    return {
        "sources": ("key", "payload-source", {**text_of(source, *SOURCE_TEXT), "creators": p}),
        "source-links": ("citing", "payload-source", {"locator": fit(models.SourceLink, "locator", p)}),
        "actors": ("key", "payload-actor", text_of(actor, *ACTOR_TEXT)),
        "aliases": ("actor", "payload-actor", filled(models.ActorAlias, p, *ALIAS_TEXT)),
        "actor-relations": ("key", "payload-relation", {"notes": p}),
        "events": ("key", "payload-event", text_of(event, *EVENT_TEXT)),
        "themes": ("key", "payload-theme", text_of(theme, *THEME_TEXT)),
        "assumptions": ("code", "SR-PAYLOAD", text_of(assumption, *ASSUMPTION_TEXT)),
        "claims-full": ("key", "payload-claim", text_of(claim, *CLAIM_TEXT)),
        "citations": ("target_type", "claim", citation_text),
        "claim-assumptions": ("claim", "payload-claim", {"rationale": p}),
        "claim-relations": ("claim", "payload-claim", {"note": p}),
        "claims": (
            "claim",
            "payload-claim",
            {
                "statement": claim.statement,
                "attributed_to": actor.name,
                "actors": actor.name,
                "themes": theme.name,
                "assumptions": f"{assumption.label} (illustrates)",
                "source_title": source.title,
                **citation_text,
            },
        ),
        "coding-sheet": (
            "claim",
            "payload-claim",
            {"statement": claim.statement, "notes": claim.notes, "rationale": p, **citation_text},
        ),
    }


USER_TEXT = {
    "sources": (*SOURCE_TEXT, "creators"),
    "source-links": ("locator",),
    "actors": ACTOR_TEXT,
    "aliases": ALIAS_TEXT,
    "actor-relations": ("notes",),
    "events": EVENT_TEXT,
    "themes": THEME_TEXT,
    "assumptions": ASSUMPTION_TEXT,
    "claims-full": CLAIM_TEXT,
    "citations": CITATION_TEXT,
    "claim-assumptions": ("rationale",),
    "claim-relations": ("note",),
    "claims": ("statement", "attributed_to", "actors", "themes", "assumptions", "source_title", *CITATION_TEXT),
    "coding-sheet": ("statement", "rationale", "notes", *CITATION_TEXT),
}


@pytest.mark.parametrize("name", NAMES)
def test_every_column_is_classed_as_user_text_or_not(name):
    """A new column must be added to the payload test below (or to NOT_USER_TEXT)."""
    header = header_of(name)
    assert sorted(header) == sorted((*USER_TEXT[name], *NOT_USER_TEXT[name]))


@pytest.mark.parametrize("payload", PAYLOADS, ids=["hyperlink", "plus", "minus", "at", "tab", "cr", "apostrophe"])
@pytest.mark.parametrize("name", NAMES)
def test_formula_payloads_are_escaped_in_every_user_text_column(name, payload):
    column, value, expected = payload_world(payload)[name]
    assert sorted(expected) == sorted(USER_TEXT[name])
    rows = rows_as_dicts(export_bytes(name, all_statuses=True))
    (row,) = [row for row in rows if row[column] == value]
    for field, raw in expected.items():
        assert raw[0] == payload[0], (field, raw)  # the record really holds the payload
        assert row[field] == "'" + raw, field
    # And no cell of the whole file starts like a formula.
    for row in rows:
        for field, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (field, cell)


@pytest.mark.parametrize("username", ["+1+1", "-2+3", "@admin"])
def test_usernames_that_start_like_a_formula_are_escaped(username):
    # Django's username rule allows @ + - anywhere, so a username can start a formula.
    user = get_user_model().objects.create_user(username=username, password=None)
    actor = models.Actor.objects.create(key="qods", name="Qods Force", kind="organization", status="approved")
    models.Actor.objects.filter(pk=actor.pk).update(created_by=user, updated_by=user, reviewed_by=user)
    (row,) = rows_as_dicts(export_bytes("actors"))
    assert row["created_by"] == row["updated_by"] == row["reviewed_by"] == "'" + username


def test_a_key_that_starts_with_a_hyphen_is_escaped_wherever_it_appears():
    # A slug may start with "-" (the admin accepts a typed key "-1"): escaped like any text.
    actor = models.Actor.objects.create(key="-1", name="Qods Force", kind="organization", status="approved")
    models.ActorAlias.objects.create(actor=actor, name="Quds Force")
    assert [row["key"] for row in rows_as_dicts(export_bytes("actors"))] == ["'-1"]
    assert [row["actor"] for row in rows_as_dicts(export_bytes("aliases"))] == ["'-1"]


# --- Default exports: approved records, and links between approved records ---------


def mixed_world() -> None:
    """Approved and draft records of every kind, and links between them both ways."""
    ok_source = models.Source.objects.create(key="s-ok", csl_type="report", title="Approved", status="approved")
    ok_source2 = models.Source.objects.create(key="s-ok2", csl_type="report", title="Approved 2", status="approved")
    draft_source = models.Source.objects.create(key="s-draft", csl_type="report", title="Draft", status="draft")
    models.SourceLink.objects.create(citing=ok_source, cited=ok_source2, footnote=1)
    models.SourceLink.objects.create(citing=ok_source, cited=draft_source, footnote=2)
    models.SourceLink.objects.create(citing=draft_source, cited=ok_source, footnote=3)

    a1 = models.Actor.objects.create(key="a-ok", name="Approved", kind="state", status="approved")
    a2 = models.Actor.objects.create(key="a-ok2", name="Approved 2", kind="state", status="approved")
    draft_actor = models.Actor.objects.create(key="a-draft", name="Draft", kind="state", status="draft")
    models.Actor.objects.create(key="a-submitted", name="Submitted", kind="state", status="submitted")
    models.Actor.objects.create(key="a-returned", name="Returned", kind="state", status="returned")
    models.ActorAlias.objects.create(actor=a1, name="alias-ok")
    models.ActorAlias.objects.create(actor=draft_actor, name="alias-of-draft")
    ok_relation = models.ActorRelation.objects.create(key="r-ok", subject=a1, relation_type="rival_of", object=a2)
    draft_relation = models.ActorRelation.objects.create(
        key="r-draft", subject=a1, relation_type="rival_of", object=draft_actor
    )
    models.ActorRelation.objects.create(key="r-draft2", subject=draft_actor, relation_type="rival_of", object=a1)

    ok_event = models.Event.objects.create(key="e-ok", title="Approved", event_type="assault", status="approved")
    draft_event = models.Event.objects.create(key="e-draft", title="Draft", event_type="assault", status="draft")
    models.Theme.objects.create(key="t-ok", kind="challenge", name="Approved", status="approved")
    models.Theme.objects.create(key="t-draft", kind="challenge", name="Draft", status="draft")
    ok_assumption = models.TheoryAssumption.objects.create(
        key="x-ok", code="X-OK", label="Approved", statement="S.", status="approved"
    )
    draft_assumption = models.TheoryAssumption.objects.create(
        key="x-draft", code="X-DRAFT", label="Draft", statement="S.", status="draft"
    )

    c1 = models.Claim.objects.create(key="c-ok", statement="Approved.", kind="factual", status="approved")
    c2 = models.Claim.objects.create(key="c-ok2", statement="Approved 2.", kind="factual", status="approved")
    draft_claim = models.Claim.objects.create(key="c-draft", statement="Draft.", kind="factual", status="draft")
    models.ClaimRelation.objects.create(claim=c1, relation_type="corroborates", other=c2)
    models.ClaimRelation.objects.create(claim=c1, relation_type="contradicts", other=draft_claim)
    models.ClaimRelation.objects.create(claim=draft_claim, relation_type="contradicts", other=c1)
    models.ClaimAssumption.objects.create(claim=c1, assumption=ok_assumption, relation="supports", rationale="R.")
    models.ClaimAssumption.objects.create(claim=c1, assumption=draft_assumption, relation="supports", rationale="R.")
    models.ClaimAssumption.objects.create(
        claim=draft_claim, assumption=ok_assumption, relation="supports", rationale="R."
    )

    for target in (
        {"claim": c1},
        {"claim": draft_claim},
        {"event": ok_event},
        {"event": draft_event},
        {"actor_relation": ok_relation},
        {"actor_relation": draft_relation},
    ):
        models.Citation.objects.create(source=ok_source, locator="1", quote="Q.", **target)
    # An approved record cited from a draft source: the link is not between approved records.
    models.Citation.objects.create(source=draft_source, locator="2", quote="Q.", event=ok_event)


# Per dataset: the columns that name a row, and the rows of the default and the full export.
IDENTITY = {
    "sources": (("key",), {("s-ok",), ("s-ok2",)}, 3),
    "source-links": (("citing", "cited"), {("s-ok", "s-ok2")}, 3),
    "actors": (("key",), {("a-ok",), ("a-ok2",)}, 5),
    "aliases": (("actor", "name"), {("a-ok", "alias-ok")}, 2),
    "actor-relations": (("key",), {("r-ok",)}, 3),
    "events": (("key",), {("e-ok",)}, 2),
    "themes": (("key",), {("t-ok",)}, 2),
    "assumptions": (("code",), {("X-OK",)}, 2),
    "claims-full": (("key",), {("c-ok",), ("c-ok2",)}, 3),
    "citations": (
        ("target_type", "target", "source"),
        {("claim", "c-ok", "s-ok"), ("event", "e-ok", "s-ok"), ("actor-relation", "r-ok", "s-ok")},
        7,
    ),
    "claim-assumptions": (("claim", "assumption"), {("c-ok", "X-OK")}, 3),
    "claim-relations": (("claim", "other"), {("c-ok", "c-ok2")}, 3),
    "claims": (("claim", "source"), {("c-ok", "s-ok")}, 2),
    # A claim with no citation still has its row (empty citation columns), so it is not lost.
    "coding-sheet": (("claim", "source"), {("c-ok", "s-ok"), ("c-ok2", "")}, 3),
}


def identities(name: str, data: bytes) -> list[tuple[str, ...]]:
    columns = IDENTITY[name][0]
    return [tuple(row[column] for column in columns) for row in rows_as_dicts(data)]


def test_every_dataset_is_in_the_status_test():
    assert set(IDENTITY) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_default_export_holds_approved_records_and_links_between_them(name):
    mixed_world()
    _, public, _ = IDENTITY[name]
    exported = identities(name, export_bytes(name))
    assert sorted(exported) == sorted(public)


@pytest.mark.parametrize("name", NAMES)
def test_export_of_all_statuses_holds_everything(name):
    mixed_world()
    _, public, total = IDENTITY[name]
    exported = identities(name, export_bytes(name, all_statuses=True))
    assert len(exported) == total
    assert set(public) < set(exported)


def test_default_export_shows_only_approved_status():
    mixed_world()
    for name in ("sources", "actors", "events", "themes", "assumptions", "claims-full", "claims"):
        assert {row["status"] for row in rows_as_dicts(export_bytes(name))} == {"approved"}, name


def test_flat_claims_default_export_leaves_out_citations_from_draft_sources():
    claim = models.Claim.objects.create(key="c-ok", statement="Approved.", kind="factual", status="approved")
    draft_source = models.Source.objects.create(
        key="secret-draft", csl_type="report", title="Unpublished draft", status="draft"
    )
    models.Citation.objects.create(source=draft_source, claim=claim, locator="1", quote="Q.")
    assert identities("citations", export_bytes("citations")) == []  # the link dataset leaves it out
    assert identities("claims", export_bytes("claims")) == []


def drafts_referenced_from_approved_records() -> None:
    """mixed_world, plus approved records that point at draft ones in every way there is."""
    mixed_world()
    draft_actor = models.Actor.objects.get(key="a-draft")
    draft_source = models.Source.objects.get(key="s-draft")
    models.Actor.objects.create(key="a-child", name="Child", kind="state", parent=draft_actor, status="approved")
    models.EventParticipant.objects.create(event=models.Event.objects.get(key="e-ok"), actor=draft_actor)
    models.Theme.objects.create(key="t-src", kind="other", name="Sourced", source=draft_source, status="approved")
    models.TheoryAssumption.objects.create(
        key="x-child",
        code="X-CHILD",
        label="Child",
        statement="S.",
        parent=models.TheoryAssumption.objects.get(code="X-DRAFT"),
        source=draft_source,
        status="approved",
    )
    claim = models.Claim.objects.get(key="c-ok")
    models.Claim.objects.filter(pk=claim.pk).update(attributed_to=draft_actor)
    claim.actors.add(draft_actor, models.Actor.objects.get(key="a-ok"))
    claim.events.add(*models.Event.objects.all())
    claim.themes.add(*models.Theme.objects.all())
    ok_source = models.Source.objects.get(key="s-ok")
    models.Citation.objects.create(source=ok_source, as_cited_in=draft_source, claim=claim, locator="9", quote="Q.")
    models.Citation.objects.create(source=draft_source, claim=claim, locator="10", quote="Q.")


# Columns of the default exports that name records of another dataset: (dataset, column, named dataset).
REFERENCES = [
    ("source-links", "citing", "sources"),
    ("source-links", "cited", "sources"),
    ("actors", "parent", "actors"),
    ("aliases", "actor", "actors"),
    ("actor-relations", "subject", "actors"),
    ("actor-relations", "object", "actors"),
    ("events", "participants", "actors"),
    ("themes", "source", "sources"),
    ("assumptions", "source", "sources"),
    ("assumptions", "parent", "assumptions"),
    ("claims-full", "attributed_to", "actors"),
    ("claims-full", "actors", "actors"),
    ("claims-full", "events", "events"),
    ("claims-full", "themes", "themes"),
    ("claims-full", "assumptions", "assumptions"),
    ("citations", "source", "sources"),
    ("citations", "as_cited_in", "sources"),
    ("claim-assumptions", "claim", "claims-full"),
    ("claim-assumptions", "assumption", "assumptions"),
    ("claim-relations", "claim", "claims-full"),
    ("claim-relations", "other", "claims-full"),
    ("claims", "claim", "claims-full"),
    ("claims", "source", "sources"),
    ("coding-sheet", "claim", "claims-full"),
    ("coding-sheet", "source", "sources"),
    ("coding-sheet", "as_cited_in", "sources"),
    ("coding-sheet", "attributed_to", "actors"),
    ("coding-sheet", "actors", "actors"),
    ("coding-sheet", "events", "events"),
    ("coding-sheet", "themes", "themes"),
    ("coding-sheet", "assumptions", "assumptions"),
]


def dangling_references() -> list[str]:
    """Every name in a default export that the default export of the named dataset does not hold."""
    names = {
        name: {row["code" if name == "assumptions" else "key"] for row in rows_as_dicts(export_bytes(name))}
        for name in ("sources", "actors", "events", "themes", "assumptions", "claims-full")
    }
    dangling = []
    for name, column, named in REFERENCES:
        for row in rows_as_dicts(export_bytes(name)):
            for value in filter(None, row[column].split("; ")):
                # Participants are actor:role, assumption links CODE:relation.
                key = value.split(":")[0]
                if key not in names[named]:
                    dangling.append(f"{name}.{column}={key}")
    return list(dict.fromkeys(dangling))


def test_the_references_check_sees_every_kind_of_reference():
    drafts_referenced_from_approved_records()
    everything = {name: rows_as_dicts(export_bytes(name, all_statuses=True)) for name in NAMES}
    for name, column, _ in REFERENCES:
        assert any(row[column] for row in everything[name]), f"{name}.{column} is never filled"


def test_default_exports_never_name_a_record_they_leave_out():
    drafts_referenced_from_approved_records()
    dangling = dangling_references()
    assert not dangling, "\n".join(dangling)


def test_default_exports_of_approved_only_data_are_self_contained():
    """The reference check itself, on data where every record is approved: nothing dangles."""
    golden_world()
    for model in (models.Source, models.Actor, models.Event, models.Theme, models.TheoryAssumption, models.Claim):
        model.objects.update(status=Status.APPROVED)
    assert dangling_references() == []


# --- Order: the same on both databases, NULLs included ------------------------------


def test_source_links_without_a_footnote_sort_first_on_every_database():
    citing = models.Source.objects.create(key="zimmt-2020", csl_type="report", title="Zimmt", status="approved")
    cited = models.Source.objects.create(key="irna-2020", csl_type="report", title="IRNA", status="approved")
    for footnote in (14, None, 3):
        models.SourceLink.objects.create(citing=citing, cited=cited, footnote=footnote, locator="§2")
    # An empty cell sorts before any text, as in a byte-ordered file.
    assert [row["footnote"] for row in rows_as_dicts(export_bytes("source-links"))] == ["", "3", "14"]


def tied_rows(*, reverse: bool) -> None:
    """Two source links, and two citations of one claim, that differ only after the sort keys."""
    zimmt = models.Source.objects.create(key="zimmt-2020", csl_type="report", title="Zimmt", status="approved")
    irna = models.Source.objects.create(key="irna-2020", csl_type="report", title="IRNA", status="approved")
    claim = models.Claim.objects.create(key="qaani", statement="Qaani.", kind="factual", status="approved")
    links = [("quotes", irna), ("cites", None)]
    for relation, as_cited_in in reversed(links) if reverse else links:
        models.SourceLink.objects.create(citing=zimmt, cited=irna, footnote=4, locator="§2", relation=relation)
        locator_type = "page" if relation == "quotes" else "section"
        models.Citation.objects.create(
            source=zimmt, claim=claim, locator="2", quote="Q.", locator_type=locator_type, as_cited_in=as_cited_in
        )


@pytest.mark.parametrize("name", ["source-links", "citations", "claims", "coding-sheet"])
def test_rows_that_tie_on_the_sort_keys_come_out_in_a_fixed_order(name):
    tied_rows(reverse=False)
    first = export_bytes(name)
    for model in (models.SourceLink, models.Citation, models.Claim, models.Source):
        model.objects.all().delete()
    tied_rows(reverse=True)
    assert export_bytes(name) == first


# --- BOM and header ------------------------------------------------------------------


def header_line(name: str) -> bytes:
    return (",".join(header_of(name)) + "\n").encode()


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_dataset_still_has_its_header(name):
    assert export_bytes(name) == header_line(name)
    assert export_bytes(name, all_statuses=True) == header_line(name)
    assert export_bytes(name, bom=True) == BOM + header_line(name)


@pytest.mark.parametrize("name", NAMES)
def test_bom_exactly_once_and_only_when_asked(name, monkeypatch):
    golden_world()
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)  # several blocks (SQLite): the BOM is not repeated
    plain = export_bytes(name, all_statuses=True)
    with_bom = export_bytes(name, all_statuses=True, bom=True)
    assert not plain.startswith(BOM)
    assert BOM not in plain
    assert with_bom.startswith(BOM)
    assert with_bom.count(BOM) == 1
    assert with_bom == BOM + plain
    assert plain.startswith(header_line(name))


def test_header_names_match_the_documented_import_columns():
    """docs/csv-formats.md: the columns a coder fills in come first, in the documented order."""
    documented = {
        "actors": "key name kind sector country parent description active_from active_to wikidata_qid notes",
        "aliases": "actor name alias_type language script",
        "actor-relations": "key subject relation_type object start start_precision end end_precision notes",
        "events": "key title event_type date_start date_end date_precision date_as_written location country "
        "description participants notes",
        "themes": "key kind name description source notes",
        "assumptions": "code theory branch label statement proponents source source_locator parent notes",
        "source-links": "citing cited footnote locator relation",
        "claim-relations": "claim relation_type other note",
        "citations": "target_type target source locator_type locator quote as_cited_in",
    }
    for name, columns in documented.items():
        header = header_of(name)
        assert header[: len(columns.split())] == columns.split(), name


# --- The export_csv command --------------------------------------------------------


class TestExportCommand:
    @pytest.fixture(autouse=True)
    def world(self, db):
        mixed_world()

    def test_writes_the_dataset_to_a_file(self, tmp_path):
        path = tmp_path / "actors.csv"
        call_command("export_csv", "actors", "-o", str(path))
        assert path.read_bytes() == export_bytes("actors")
        assert {row["key"] for row in rows_as_dicts(path.read_bytes())} == {"a-ok", "a-ok2"}
        assert list(tmp_path.iterdir()) == [path]  # no "*.partial" left beside it

    def test_writes_to_stdout_without_a_file(self, capsysbinary):
        call_command("export_csv", "claims-full")
        assert capsysbinary.readouterr().out == export_bytes("claims-full")

    def test_bom(self, tmp_path, capsysbinary):
        path = tmp_path / "actors.csv"
        call_command("export_csv", "actors", "--bom", "-o", str(path))
        assert path.read_bytes() == BOM + export_bytes("actors")
        call_command("export_csv", "actors", "--bom")
        assert capsysbinary.readouterr().out == BOM + export_bytes("actors")

    def test_all_statuses(self, tmp_path):
        path = tmp_path / "actors.csv"
        call_command("export_csv", "actors", "--all-statuses", "-o", str(path))
        assert path.read_bytes() == export_bytes("actors", all_statuses=True)
        assert len(rows_as_dicts(path.read_bytes())) == 5

    def test_overwrites_an_existing_file(self, tmp_path):
        path = tmp_path / "actors.csv"
        path.write_bytes(b"old contents that are longer than the export " * 100)
        call_command("export_csv", "actors", "-o", str(path))
        assert path.read_bytes() == export_bytes("actors")

    @pytest.mark.parametrize("flags", [[], ["--bom", "--all-statuses"]])
    def test_all_writes_one_file_per_dataset(self, tmp_path, flags):
        out = tmp_path / "export" / "nested"  # created if missing
        call_command("export_csv", "--all", "-o", str(out), *flags)
        assert sorted(path.name for path in out.iterdir()) == sorted(f"{name}.csv" for name in NAMES)
        options = {"bom": "--bom" in flags, "all_statuses": "--all-statuses" in flags}
        for name in NAMES:
            assert (out / f"{name}.csv").read_bytes() == export_bytes(name, **options), name

    def test_no_dataset_and_no_all_is_an_error(self):
        with pytest.raises(CommandError, match="Name a dataset"):
            call_command("export_csv")

    def test_all_without_a_directory_is_an_error(self):
        with pytest.raises(CommandError, match="-o DIR"):
            call_command("export_csv", "--all")

    def test_all_with_a_dataset_name_is_an_error(self, tmp_path):
        with pytest.raises(CommandError, match="no dataset name"):
            call_command("export_csv", "actors", "--all", "-o", str(tmp_path))
        assert list(tmp_path.iterdir()) == []

    def test_an_unknown_dataset_is_an_error(self, tmp_path):
        with pytest.raises(CommandError, match="invalid choice"):
            call_command("export_csv", "coding-sheet-typo", "-o", str(tmp_path / "x.csv"))
        assert list(tmp_path.iterdir()) == []

    def test_a_failed_export_keeps_the_previous_file(self, tmp_path, monkeypatch):
        path = tmp_path / "actors.csv"
        path.write_bytes(b"previous export\n")
        monkeypatch.setattr(export_csv_command, "stream_dataset", failing_stream)
        with pytest.raises(ConnectionError):
            call_command("export_csv", "actors", "-o", str(path))
        assert path.read_bytes() == b"previous export\n"

    def test_a_failed_export_leaves_no_partial_file(self, tmp_path, monkeypatch):
        monkeypatch.setattr(export_csv_command, "stream_dataset", failing_stream)
        with pytest.raises(ConnectionError):
            call_command("export_csv", "actors", "-o", str(tmp_path / "actors.csv"))
        assert list(tmp_path.iterdir()) == []


def failing_stream(*args: object, **kwargs: object):
    """The database connection drops after the first block."""
    yield b"key,name\n"
    raise ConnectionError("server closed the connection unexpectedly")


# --- The admin's "Download CSV" ------------------------------------------------------


@pytest.fixture
def listed_actors() -> dict[str, models.Actor]:
    qods = models.Actor.objects.create(
        key="qods-force", name="Qods Force", kind="organization", country="IRN", status="approved"
    )
    models.ActorAlias.objects.create(actor=qods, name="Quds Force")
    models.ActorAlias.objects.create(actor=qods, name="Sepah-e Quds")
    soleimani = models.Actor.objects.create(
        key="soleimani", name="Qasem Soleimani", kind="person", country="IRN", status="draft"
    )
    models.ActorAlias.objects.create(actor=soleimani, name="Haj Qasem")
    pmf = models.Actor.objects.create(
        key="pmf", name="Popular Mobilization Forces", kind="coalition", country="IRQ", status="submitted"
    )
    models.ActorAlias.objects.create(actor=pmf, name="Hashd al-Shaabi")
    kh = models.Actor.objects.create(key="kataib-hezbollah", name="Kata'ib Hezbollah", kind="organization")
    return {"qods": qods, "soleimani": soleimani, "pmf": pmf, "kh": kh}


def download(client, model_name: str, query: str = ""):
    response = client.get(admin_url(model_name, "export") + query)
    assert response.status_code == 200, response
    return response


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


def keys_in(data: bytes) -> list[str]:
    return [row["key"] for row in rows_as_dicts(data)]


class TestAdminDownload:
    @pytest.mark.parametrize("model", sorted(MODEL_DATASETS, key=lambda model: model._meta.model_name))
    def test_every_changelist_offers_the_download(self, supervisor_client, model):
        model_name = model._meta.model_name
        export_url = admin_url(model_name, "export")
        response = supervisor_client.get(admin_url(model_name))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'href="{export_url}?"' in html
        assert "Download CSV" in html
        assert f'href="{export_url}?bom=1"' in html

    def test_the_link_carries_the_changelist_filters(self, supervisor_client, listed_actors):
        response = supervisor_client.get(admin_url("actor"), {"q": "Quds", "status__exact": "approved"})
        html = response.content.decode()
        export_url = admin_url("actor", "export")
        assert f'href="{export_url}?q=Quds&amp;status__exact=approved"' in html
        assert f'href="{export_url}?q=Quds&amp;status__exact=approved&amp;bom=1"' in html

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("", ["kataib-hezbollah", "pmf", "qods-force", "soleimani"]),  # all statuses, as the list shows
            ("?q=Quds", ["qods-force"]),  # found by alias, listed once although two aliases match
            ("?q=Hashd", ["pmf"]),
            ("?status__exact=draft", ["kataib-hezbollah", "soleimani"]),
            ("?kind__exact=organization", ["kataib-hezbollah", "qods-force"]),
            ("?kind__exact=organization&status__exact=approved", ["qods-force"]),
            ("?country__exact=IRN&q=Qasem", ["soleimani"]),
            ("?q=nothing-matches", []),
            ("?q=%25", []),  # a % in a parameter must not meet the SQL's own %-formatting
            ("?q=Kata%27ib", ["kataib-hezbollah"]),
            ("?o=2", ["kataib-hezbollah", "pmf", "qods-force", "soleimani"]),  # a sort is not a filter
        ],
    )
    def test_exports_the_filtered_changelist(self, supervisor_client, listed_actors, query, expected):
        data = downloaded(download(supervisor_client, "actor", query))
        assert keys_in(data) == expected
        # Exactly what the changelist lists, in the dataset's own (key) order.
        changelist = supervisor_client.get(admin_url("actor") + query).context["cl"]
        assert sorted(actor.key for actor in changelist.queryset) == expected
        assert data.startswith(header_line("actors"))

    def test_the_rows_are_the_dataset_rows(self, supervisor_client, listed_actors):
        data = downloaded(download(supervisor_client, "actor", "?status__exact=approved"))
        assert data == export_bytes("actors")  # approved only: the same as the default export

    def test_the_review_queue_filter(self, coder_client, coder, listed_actors):
        models.Actor.objects.filter(key__in=["soleimani", "kataib-hezbollah"]).update(created_by=coder)
        models.Actor.objects.filter(key="soleimani").update(status="returned")
        assert keys_in(downloaded(download(coder_client, "actor", "?queue=drafts"))) == ["kataib-hezbollah"]
        assert keys_in(downloaded(download(coder_client, "actor", "?queue=returned"))) == ["soleimani"]

    def test_link_models_export_their_filtered_list(self, supervisor_client, listed_actors):
        data = downloaded(download(supervisor_client, "actoralias", "?q=Quds"))
        assert [(row["actor"], row["name"]) for row in rows_as_dicts(data)] == [
            ("qods-force", "Quds Force"),
            ("qods-force", "Sepah-e Quds"),
        ]
        # An alias of a draft actor is exported too: the changelist shows it.
        data = downloaded(download(supervisor_client, "actoralias", "?q=Haj"))
        assert [row["actor"] for row in rows_as_dicts(data)] == ["soleimani"]

    def test_claims_filtered_by_a_related_record(self, supervisor_client):
        golden_world()
        data = downloaded(download(supervisor_client, "claim", "?citations__source__key=crisis-group-2020-iraq"))
        assert keys_in(data) == ["iran-seeks-to-preserve-pmf"]
        data = downloaded(download(supervisor_client, "claim", "?q=consulate"))
        assert keys_in(data) == ["protests-2019", "protests2019"]

    def test_bom_parameter_adds_a_bom_and_is_not_a_filter(self, supervisor_client, listed_actors):
        plain = downloaded(download(supervisor_client, "actor", "?kind__exact=organization"))
        with_bom = downloaded(download(supervisor_client, "actor", "?kind__exact=organization&bom=1"))
        assert not plain.startswith(BOM)
        assert with_bom == BOM + plain
        assert downloaded(download(supervisor_client, "actor", "?bom=1")).count(BOM) == 1
        assert keys_in(downloaded(download(supervisor_client, "actor", "?bom=1"))[3:]) == [
            "kataib-hezbollah",
            "pmf",
            "qods-force",
            "soleimani",
        ]

    def test_response_is_a_streamed_csv_attachment(self, supervisor_client, listed_actors):
        response = download(supervisor_client, "actor")
        assert isinstance(response, StreamingHttpResponse)
        assert response.streaming
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        disposition = response["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="actors-\d{8}-\d{4}\.csv"', disposition), disposition

    @pytest.mark.parametrize("model", sorted(MODEL_DATASETS, key=lambda model: model._meta.model_name))
    def test_viewer_can_download_every_list(self, viewer_client, model):
        golden_world()
        response = download(viewer_client, model._meta.model_name)
        name = MODEL_DATASETS[model].name
        assert response["Content-Disposition"].startswith(f'attachment; filename="{name}-')
        assert downloaded(response) == (GOLDEN / f"{name}.csv").read_bytes()

    def test_anonymous_is_sent_to_login(self, anonymous_client, listed_actors):
        response = anonymous_client.get(admin_url("actor", "export"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    def test_staff_without_view_permission_is_refused(self, listed_actors):
        user = get_user_model().objects.create_user(username="no-role", password=None, is_staff=True)
        client = HttpsClient()
        client.force_login(user)
        assert client.get(admin_url("actor", "export")).status_code == 403

    @pytest.mark.parametrize("query", ["?nonexistent=1", "?active_from__gte=not-a-date"])
    def test_a_bad_filter_is_not_a_server_error(self, supervisor_client, listed_actors, query):
        """An unknown or malformed filter: the download does what the changelist does (back to ?e=1)."""
        changelist = supervisor_client.get(admin_url("actor") + query)
        assert changelist.status_code == 302
        assert changelist["Location"].endswith("?e=1")
        supervisor_client.raise_request_exception = False
        response = supervisor_client.get(admin_url("actor", "export") + query)
        assert response.status_code == 302
        assert response["Location"] == admin_url("actor") + "?e=1"


# --- Streaming -----------------------------------------------------------------------


def test_stream_csv_is_lazy_and_starts_with_the_header():
    golden_world()
    with CaptureQueriesContext(connection) as queries:
        blocks = export.stream_csv(DATASETS["actors"], all_statuses=True)
    assert len(queries) == 0  # nothing is read before the first block is asked for
    assert next(blocks) == header_line("actors")
    assert b"".join(blocks) == (GOLDEN / "actors.csv").read_bytes()[len(header_line("actors")) :]


@pytest.mark.skipif(ON_POSTGRESQL, reason="PostgreSQL streams the blocks COPY gives")
def test_stream_csv_yields_blocks_of_chunk_rows_on_sqlite(monkeypatch):
    golden_world()  # 8 actors
    monkeypatch.setattr(export, "CHUNK_ROWS", 3)
    blocks = list(export.stream_csv(DATASETS["actors"], all_statuses=True))
    assert blocks[0] == header_line("actors")
    assert [len(parse(block)) for block in blocks[1:]] == [3, 3, 2]
    assert b"".join(blocks) == (GOLDEN / "actors.csv").read_bytes()
