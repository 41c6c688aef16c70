"""A synthetic corpus at scale, for benchmarks (`manage.py generate_synthetic`).

Rows go straight into the tables (COPY on PostgreSQL, executemany on SQLite) in one
transaction, with ids assigned here: a million claims take minutes, not hours. That
bypasses save(), so every field is set explicitly (keys, timestamps, version, notes)
and no history rows are written. The data obeys every database rule; the tests run
full_clean() on samples. On PostgreSQL a large batch also drops the GIN (trigram) indexes
of claims and citations and builds them again at the end, inside the transaction (readers
of those tables wait for it), and every batch ends with ANALYZE of what it wrote.

Keys start with "syn<seed>-" (syn1-claim-0000001). A run appends to whatever the
database holds and refuses a seed whose keys exist, live or in history (keys are never
reused): a second batch takes another seed. The same seed on the same database state
gives the same rows.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from influence_db.coding import choices
from influence_db.coding.bulk import can_copy, copy_rows
from influence_db.coding.choices import Status
from influence_db.coding.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Citation,
    Claim,
    ClaimAssumption,
    Event,
    EventParticipant,
    Source,
    Theme,
    TheoryAssumption,
)
from influence_db.coding.roles import CODER, SUPERVISOR

CODER_NAME = "synthetic-coder"
SUPERVISOR_NAME = "synthetic-supervisor"

# Ratios to claims, as in a real coding project: few actors and sources, many claims each.
CLAIMS_PER_ACTOR = 100
CLAIMS_PER_SOURCE = 20
CLAIMS_PER_EVENT = 200
THEMES = 30
# Claims are written in chunks so that memory stays flat whatever --claims is.
CHUNK_CLAIMS = 20_000
# From this many claims on (and at least as many as the table holds), see generate().
REBUILD_GIN_FROM = 50_000

# 85% approved, 5% each other status, as in a mature project (and every status present: see review()).
STATUS_WEIGHTS = ((Status.APPROVED, 17), (Status.DRAFT, 1), (Status.SUBMITTED, 1), (Status.RETURNED, 1))
EPOCH = datetime(2022, 1, 1, tzinfo=UTC)

M2M_MODELS = (Claim.actors.through, Claim.themes.through, Claim.events.through)


class SyntheticKeysExist(Exception):
    """The seed's keys are in the database already (keys are never reused)."""


@dataclass(frozen=True)
class Summary:
    seed: int
    counts: dict[str, int]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        rate = self.rows / self.seconds if self.seconds else 0
        return (
            f"Generated seed {self.seed} (keys {key_prefix(self.seed)}-…): {counts}; "
            f"{self.rows} rows in {self.seconds:.1f} s ({rate:,.0f} rows/s)."
        )


def key_prefix(seed: int) -> str:
    return f"syn{seed}"


KEYED_MODELS: tuple[type[models.Model], ...] = (Source, Actor, ActorRelation, Event, Theme, TheoryAssumption, Claim)


def seed_in_use(seed: int) -> bool:
    """True if any record has, or had, a key of this seed's run."""
    start = f"{key_prefix(seed)}-"
    return any(
        model._default_manager.filter(key__startswith=start).exists()
        or model.history.filter(key__startswith=start).exists()
        for model in KEYED_MODELS
    )


def free_seed(start: int = 1) -> int:
    seed = start
    while seed_in_use(seed):
        seed += 1
    return seed


def generate(*, claims: int, seed: int = 1) -> Summary:
    """Append a synthetic corpus of `claims` claims; raise SyntheticKeysExist if the seed was used."""
    if claims < 1:
        raise ValueError("The number of claims must be at least 1.")
    started = time.perf_counter()
    with transaction.atomic():
        if seed_in_use(seed):
            raise SyntheticKeysExist(
                f"Keys of seed {seed} ({key_prefix(seed)}-…) exist already; pass another --seed to add a further batch."
            )
        writer = _Writer()
        # A large batch into small tables: rebuild their GIN (trigram) indexes afterwards rather
        # than update them row by row, which is most of the time a million claims take.
        big = claims >= REBUILD_GIN_FROM and claims >= Claim.objects.count()
        with writer.gin_indexes_rebuilt([Claim, Citation] if big else []):
            _Generator(claims=claims, seed=seed, writer=writer).run()
        writer.reset_sequences()
        writer.analyze()
    counts = {model._meta.verbose_name_plural: n for model, n in writer.counts.items()}
    return Summary(seed=seed, counts=counts, seconds=time.perf_counter() - started)


# --- Writing rows -----------------------------------------------------------------------------


class _Writer:
    """Inserts rows given as {attname: value}, every concrete field named; counts what it wrote."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.counts: Counter[type[models.Model]] = Counter()
        self._checked: set[type[models.Model]] = set()

    def next_id(self, model: type[models.Model]) -> int:
        """The first id after every id the table has used: live rows, history and its sequence."""
        used = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
        if hasattr(model, "history"):
            used = max(used, model.history.aggregate(m=Max("id"))["m"] or 0)
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, %s)::regclass)",
                    [model._meta.db_table, model._meta.pk.column],
                )
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
            row = cursor.fetchone()
        return max(used, (row[0] if row else 0) or 0) + 1

    def write(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        fields = model._meta.concrete_fields
        if model not in self._checked:
            # Bulk rows skip the model's defaults: a forgotten field must fail here, not become NULL.
            mismatch = {f.attname for f in fields} ^ set(rows[0])
            if mismatch:
                raise ValueError(f"{model.__name__} rows do not match its fields: {sorted(mismatch)}")
            self._checked.add(model)
        names = [f.attname for f in fields]
        values = itemgetter(*names)
        if can_copy():
            copy_rows(model, names, (values(row) for row in rows))
        else:
            table = connection.ops.quote_name(model._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            with connection.cursor() as cursor:
                adapt = self._sqlite_adapters(fields)
                placeholders = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                    [_adapted(values(row), adapt) for row in rows],
                )
        self.counts[model] += len(rows)

    @staticmethod
    def _sqlite_adapters(fields: Iterable[models.Field]) -> list[tuple[int, Callable]]:
        ops = connection.ops
        adapters = []
        for index, field in enumerate(fields):
            if isinstance(field, models.DateTimeField):
                adapters.append((index, ops.adapt_datetimefield_value))
            elif isinstance(field, models.DateField):
                adapters.append((index, ops.adapt_datefield_value))
        return adapters

    @contextmanager
    def gin_indexes_rebuilt(self, models_: list[type[models.Model]]) -> Iterator[None]:
        """Drop the GIN indexes of these tables for the block and create them again after it, as
        they were (pg_get_indexdef). Inside the transaction, so nobody sees the tables without them."""
        if not self.postgres or not models_:
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "WHERE a.amname = 'gin' AND i.indrelid = ANY(%s::regclass[])",
                [[model._meta.db_table for model in models_]],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {name}")
        yield
        with connection.cursor() as cursor:
            # CREATE INDEX refuses a table with deferred foreign-key checks pending: run them now.
            # (Django declares every foreign key DEFERRABLE INITIALLY DEFERRED, so ALL DEFERRED restores it.)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def analyze(self) -> None:
        # The planner's row estimates are from before the load (and autovacuum may be off or
        # late): with "5 actors" it nests a scan of every actor inside each claim's subquery.
        if self.postgres:
            tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in self.counts)
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")

    def reset_sequences(self) -> None:
        # Ids were assigned here, so PostgreSQL's sequences must catch up before the next ORM insert.
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.counts))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _adapted(values: tuple, adapters: list[tuple[int, Callable]]) -> tuple:
    row = list(values)
    for index, adapt in adapters:
        if row[index] is not None:
            row[index] = adapt(row[index])
    return tuple(row)


# --- Vocabulary: (Latin, Arabic script) pairs so that aliases read like real ones ------------------

GIVEN = [
    ("Abu Mahdi", "أبو مهدي"),
    ("Abu Fadak", "أبو فدك"),
    ("Abu Ala", "أبو آلاء"),
    ("Hadi", "هادي"),
    ("Qais", "قيس"),
    ("Akram", "أكرم"),
    ("Hassan", "حسن"),
    ("Ali", "علي"),
    ("Mohammad", "محمد"),
    ("Hossein", "حسين"),
    ("Esmail", "إسماعيل"),
    ("Faleh", "فالح"),
    ("Hamid", "حميد"),
    ("Jafar", "جعفر"),
    ("Kazem", "كاظم"),
    ("Mustafa", "مصطفى"),
    ("Nouri", "نوري"),
    ("Ammar", "عمار"),
    ("Reza", "رضا"),
    ("Qassem", "قاسم"),
]
FAMILY = [
    ("al-Karbalai", "الكربلائي"),
    ("al-Amiri", "العامري"),
    ("al-Khazali", "الخزعلي"),
    ("al-Kaabi", "الكعبي"),
    ("al-Fayyadh", "الفياض"),
    ("al-Muhandis", "المهندس"),
    ("al-Hakim", "الحكيم"),
    ("al-Maliki", "المالكي"),
    ("al-Najafi", "النجفي"),
    ("al-Basri", "البصري"),
    ("al-Husseini", "الحسيني"),
    ("al-Musawi", "الموسوي"),
    ("al-Sudani", "السوداني"),
    ("al-Asadi", "الأسدي"),
    ("Soleimani", "سليماني"),
    ("Qaani", "قاآني"),
    ("Masjedi", "مسجدي"),
    ("Shamkhani", "شمخاني"),
    ("Zarif", "ظريف"),
    ("Larijani", "لاريجاني"),
]
UNIT = [("Kataib", "كتائب"), ("Asaib", "عصائب"), ("Harakat", "حركة"), ("Saraya", "سرايا"), ("Liwa", "لواء")]
UNIT_NAME = [
    ("Hezbollah", "حزب الله"),
    ("al-Nujaba", "النجباء"),
    ("Ahl al-Haq", "أهل الحق"),
    ("Sayyid al-Shuhada", "سيد الشهداء"),
    ("al-Imam Ali", "الإمام علي"),
    ("al-Khorasani", "الخراساني"),
    ("Ashura", "عاشوراء"),
    ("al-Salam", "السلام"),
    ("Jund al-Imam", "جند الإمام"),
    ("al-Abbas", "العباس"),
]
BODY = [
    ("Council", "مجلس"),
    ("Front", "جبهة"),
    ("Alliance", "تحالف"),
    ("Coordination Committee", "هيئة التنسيق"),
    ("Bloc", "كتلة"),
]
BODY_NAME = [
    ("al-Fatah", "الفتح"),
    ("al-Binaa", "البناء"),
    ("al-Islah", "الإصلاح"),
    ("Sairoon", "سائرون"),
    ("al-Hikma", "الحكمة"),
    ("Dawlat al-Qanun", "دولة القانون"),
]
STATES = [
    ("Iraq", "العراق", "IRQ"),
    ("Iran", "إيران", "IRN"),
    ("Syria", "سوريا", "SYR"),
    ("Lebanon", "لبنان", "LBN"),
    ("Kuwait", "الكويت", "KWT"),
    ("Saudi Arabia", "السعودية", "SAU"),
    ("Turkey", "تركيا", "TUR"),
    ("Jordan", "الأردن", "JOR"),
]
# Transliteration variants a second source would use for the same name.
VARIANTS = [
    ("al-", "el-"),
    ("Mohammad", "Muhammad"),
    ("Hossein", "Husayn"),
    ("Qais", "Qays"),
    ("Qassem", "Ghasem"),
    ("Kataib", "Kata'ib"),
    ("Asaib", "Asa'ib"),
    ("Esmail", "Ismail"),
    ("Jafar", "Ja'far"),
    ("Kazem", "Kadhim"),
]
DIGITS = {"ar": str.maketrans("0123456789-", "٠١٢٣٤٥٦٧٨٩-"), "fa": str.maketrans("0123456789-", "۰۱۲۳۴۵۶۷۸۹-")}

PERSON_SECTORS = [
    choices.Sector.GOVERNMENT,
    choices.Sector.MILITARY,
    choices.Sector.MILITIA,
    choices.Sector.RELIGIOUS,
    choices.Sector.PARTY,
    choices.Sector.LEGISLATURE,
]
ORG_SECTORS = [
    choices.Sector.MILITIA,
    choices.Sector.MILITIA,
    choices.Sector.PARTY,
    choices.Sector.MEDIA,
    choices.Sector.INTELLIGENCE,
    choices.Sector.BUSINESS,
    choices.Sector.CIVIL_SOCIETY,
]

PLACES = [
    ("Baghdad", "IRQ"),
    ("Basra", "IRQ"),
    ("Najaf", "IRQ"),
    ("Karbala", "IRQ"),
    ("Erbil", "IRQ"),
    ("Mosul", "IRQ"),
    ("Samarra", "IRQ"),
    ("Diyala", "IRQ"),
    ("Anbar", "IRQ"),
    ("Sulaymaniyah", "IRQ"),
    ("Tehran", "IRN"),
    ("Qom", "IRN"),
    ("Mashhad", "IRN"),
    ("Ahvaz", "IRN"),
]
TOPICS = [
    "the Popular Mobilization Forces law",
    "the withdrawal of US troops",
    "electricity imports from Iran",
    "the Arbaeen pilgrimage",
    "the Shalamcheh border crossing",
    "the strategic dialogue with Washington",
    "Iraq's gas debts to Iran",
    "the October protest movement",
    "the formation of a new cabinet",
    "rocket attacks on US bases",
    "Kurdish oil exports",
    "the Grand Faw port",
    "Saudi investment in Iraq",
    "the early parliamentary elections",
]
GOALS = [
    "keep the militias outside state control",
    "secure a full US withdrawal from Iraq",
    "expand its economic footprint in southern Iraq",
    "bypass US sanctions through Iraqi banks",
    "unify the Shiite parties behind one candidate",
    "prevent a rapprochement between Baghdad and Riyadh",
    "preserve its supply route to Syria",
    "contain the protest movement",
]
OUTCOMES = [
    "a split among the Shiite factions",
    "the suspension of gas deliveries",
    "a surge in anti-Iranian sentiment",
    "a new wave of rocket attacks",
    "the resignation of the cabinet",
    "closer security coordination with Tehran",
    "a freeze on US military aid",
]
OUTLETS = [
    ("IRNA", "Islamic Republic News Agency", "fa", ""),
    ("Tasnim", "Tasnim News Agency", "fa", "IRGC-affiliated news agency"),
    ("Fars", "Fars News Agency", "fa", "IRGC-affiliated news agency"),
    ("Mehr", "Mehr News Agency", "fa", ""),
    ("Al-Sumaria", "Al-Sumaria", "ar", ""),
    ("Rudaw", "Rudaw", "en", "Kurdish news network"),
    ("Shafaq News", "Shafaq News", "ar", ""),
    ("Al-Mayadeen", "Al-Mayadeen", "ar", "Hezbollah-aligned channel"),
    ("Kayhan", "Kayhan", "fa", "Newspaper close to the Supreme Leader's office"),
    ("Asharq Al-Awsat", "Asharq Al-Awsat", "ar", "Saudi-owned newspaper"),
]
JOURNALS = ["Journal of Iranian Studies", "Middle East Policy", "Iranian Review of Foreign Affairs", "Survival"]
PUBLISHERS = [
    ("Meir Amit Intelligence and Terrorism Information Center", "Ramat Hasharon"),
    ("Washington Institute for Near East Policy", "Washington, DC"),
    ("Chatham House", "London"),
    ("Institute for Political and International Studies", "Tehran"),
]
CSL_WEIGHTS = (
    (choices.CslType.ARTICLE_NEWSPAPER, 40),
    (choices.CslType.WEBPAGE, 20),
    (choices.CslType.REPORT, 15),
    (choices.CslType.ARTICLE_JOURNAL, 10),
    (choices.CslType.BOOK, 4),
    (choices.CslType.CHAPTER, 3),
    (choices.CslType.SPEECH, 3),
    (choices.CslType.INTERVIEW, 3),
    (choices.CslType.BROADCAST, 2),
)
MONTHS = "January February March April May June July August September October November December".split()
THEME_TOPICS = [
    "US military presence",
    "sanctions on Iran",
    "Iraqi nationalism",
    "Saudi-Iraqi rapprochement",
    "rivalry among Shiite factions",
    "Kurdish autonomy",
    "the Popular Mobilization Forces",
    "trade and energy dependence",
    "the Najaf marjaiya",
    "the Islamic State's remnants",
]
ASSUMPTIONS = [
    ("SR-SYN-1", choices.Branch.GENERAL, "Anarchy", "The international system has no authority above states."),
    (
        "SR-SYN-2",
        choices.Branch.GENERAL,
        "Anarchy shapes behaviour",
        "The absence of a higher authority shapes how states act.",
    ),
    (
        "SR-SYN-3",
        choices.Branch.GENERAL,
        "States are the primary rational actors",
        "States are the main actors and act rationally.",
    ),
    ("SR-SYN-4", choices.Branch.GENERAL, "Survival is the supreme goal", "Above all, states seek to survive."),
    ("SR-SYN-5", choices.Branch.GENERAL, "Self-help", "States can rely on no one but themselves for their security."),
    ("SR-SYN-6", choices.Branch.GENERAL, "Power as a means", "States seek power as the means to security."),
    ("SR-SYN-7", choices.Branch.GENERAL, "Uncertainty and distrust", "States can never be sure of others' intentions."),
    ("SR-SYN-8", choices.Branch.GENERAL, "War is always possible", "The possibility of war is ever present."),
    (
        "SR-SYN-9",
        choices.Branch.GENERAL,
        "Balance of power",
        "States balance against the strongest or most threatening power.",
    ),
    (
        "SR-SYN-10",
        choices.Branch.DEFENSIVE,
        "Enough power for security",
        "States seek enough power to be secure, not hegemony.",
    ),
    ("SR-SYN-11", choices.Branch.OFFENSIVE, "Maximise power", "States maximise power up to regional hegemony."),
]
SAYINGS = [
    '"will not be decided in Washington"',
    '"is a red line for the resistance"',
    '"serves the interests of both nations"',
    '"was agreed with our brothers in Baghdad"',
    '"cannot continue under American pressure"',
]
RETURN_COMMENTS = [
    "The quote does not support the paraphrase; check the page.",
    "Which actor is this attributed to?",
    "Split this into two claims: one factual, one interpretive.",
    "The period looks wrong; the source speaks of 2019.",
]


# --- Generating -------------------------------------------------------------------------------


def _pool(weighted: Iterable[tuple[object, int]]) -> list:
    """A list to draw from uniformly that gives each value its weight."""
    return [value for value, weight in weighted for _ in range(weight)]


STATUS_POOL = _pool(STATUS_WEIGHTS)
CSL_POOL = _pool(CSL_WEIGHTS)
KIND_POOL = _pool(zip(choices.ActorKind, (50, 5, 38, 7), strict=True))
COUNTRY_POOL = _pool((("IRQ", 60), ("IRN", 30), ("SYR", 5), ("LBN", 5)))
MODALITY_POOL = _pool(zip(choices.Modality, (60, 20, 8, 7, 5), strict=True))
CONFIDENCE_POOL = _pool(zip(choices.Confidence, (5, 4, 1), strict=True))
LOCATOR_POOL = _pool(zip(choices.LocatorType, (14, 2, 3, 1), strict=True))
ATTRIBUTION_POOL = _pool(zip(choices.LinkAttribution, (3, 2), strict=True))
CLAIM_KINDS = list(choices.ClaimKind)
RELATIONS = list(choices.AssumptionRelation)
EVENT_TYPES = list(choices.EventType)
ACTOR_RELATION_TYPES = list(choices.ActorRelationType)
ROLES = (choices.ParticipantRole.INITIATOR, choices.ParticipantRole.TARGET, choices.ParticipantRole.MEDIATOR)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


class _Dice:
    """Draws from one seeded generator; random.Random's choice() and randint() cost a microsecond
    each in Python, and a million claims take tens of millions of draws."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random

    def pick(self, values: list | tuple) -> object:
        return values[int(self.random() * len(values))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def chance(self, probability: float) -> bool:
        return self.random() < probability

    def sample(self, values: list, k: int) -> list:
        return self.rng.sample(values, k)

    def a_date(self, first_year: int = 2013, last_year: int = 2023) -> date:
        return date(first_year, 1, 1) + DAY * int(self.random() * (last_year - first_year + 1) * 365)


class _Generator:
    def __init__(self, *, claims: int, seed: int, writer: _Writer) -> None:
        self.claims, self.seed, self.writer = claims, seed, writer
        self.dice = _Dice(seed)
        self.prefix = key_prefix(seed)
        self.coder_id = _user(CODER_NAME, CODER).pk
        self.supervisor_id = _user(SUPERVISOR_NAME, SUPERVISOR).pk
        self.n_actors = max(4, round(claims / CLAIMS_PER_ACTOR))
        self.n_sources = max(2, round(claims / CLAIMS_PER_SOURCE))
        self.n_events = max(1, round(claims / CLAIMS_PER_EVENT))

    def run(self) -> None:
        self.citation_id = self.writer.next_id(Citation)
        self.write(self.sources())
        self.write(self.actors())
        self.write(self.actor_relations())
        self.write(self.themes())
        self.write(self.assumptions())
        self.write(self.events())
        first_ids = {model: self.writer.next_id(model) for model in (Claim, *M2M_MODELS, ClaimAssumption)}
        for chunk in self.claim_chunks(first_ids):
            self.write(chunk)

    def write(self, tables: list[tuple[type[models.Model], list[dict]]]) -> None:
        for model, rows in tables:
            self.writer.write(model, rows)

    def review(self, index: int) -> dict:
        """Review state, authorship and timestamps of a main record."""
        dice = self.dice
        # The first four rows of every table take one status each, so that every status is present.
        status = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED)[index] if index < 4 else None
        status = status or dice.pick(STATUS_POOL)
        created = EPOCH + SECOND * int(dice.random() * 3 * 365 * 86400)
        submitted = created + SECOND * dice.between(60, 14 * 86400)
        reviewed = submitted + SECOND * dice.between(60, 7 * 86400)
        is_reviewed = status in (Status.APPROVED, Status.RETURNED)
        return {
            "status": status,
            "submitted_at": submitted if status != Status.DRAFT else None,
            "reviewed_by_id": self.supervisor_id if is_reviewed else None,
            "reviewed_at": reviewed if is_reviewed else None,
            "review_comment": dice.pick(RETURN_COMMENTS) if status == Status.RETURNED else "",
            "created_at": created,
            "created_by_id": self.coder_id,
            "updated_at": reviewed if is_reviewed else submitted if status == Status.SUBMITTED else created,
            "updated_by_id": self.supervisor_id if is_reviewed else self.coder_id,
            "notes": "",
            "version": 1,
        }

    # Sources ----------------------------------------------------------------------------------
    def sources(self) -> list[tuple[type[models.Model], list[dict]]]:
        dice, first = self.dice, self.writer.next_id(Source)
        self.source_ids = list(range(first, first + self.n_sources))
        rows = []
        for index, pk in enumerate(self.source_ids):
            csl_type = dice.pick(CSL_POOL)
            issued = dice.a_date()
            precision = dice.pick([choices.DatePrecision.DAY] * 8 + [choices.DatePrecision.MONTH] * 2)
            outlet, outlet_name, language, affiliation = dice.pick(OUTLETS)
            title = f"{dice.pick(GIVEN)[0]} {dice.pick(FAMILY)[0]} on {dice.pick(TOPICS)}"
            container = publisher = place = volume = issue = pages = doi = ""
            creators: list[dict[str, str]] = [{"literal": outlet}]
            if csl_type in (choices.CslType.ARTICLE_NEWSPAPER, choices.CslType.WEBPAGE, choices.CslType.BROADCAST):
                container = outlet_name
            else:
                affiliation, language = "", "en"
                creators = [self.person() for _ in range(dice.between(1, 3))]
                if csl_type == choices.CslType.ARTICLE_JOURNAL:
                    container, volume, issue = dice.pick(JOURNALS), str(dice.between(1, 40)), str(dice.between(1, 4))
                    start = dice.between(1, 300)
                    pages, doi = f"{start}-{start + dice.between(10, 30)}", f"10.5555/{self.prefix}.{pk}"
                elif csl_type in (choices.CslType.REPORT, choices.CslType.BOOK, choices.CslType.CHAPTER):
                    publisher, place = dice.pick(PUBLISHERS)
                    title = f"{dice.pick(['Iran', 'Tehran', 'The IRGC'])} and {dice.pick(TOPICS)}"
            rows.append(
                {
                    "id": pk,
                    "key": f"{self.prefix}-source-{index + 1:05d}",
                    **self.review(index),
                    "csl_type": csl_type,
                    "title": title[:1].upper() + title[1:],
                    "creators": json.dumps(creators, ensure_ascii=False),
                    "issued": issued,
                    "issued_precision": precision,
                    "container_title": container,
                    "publisher": publisher,
                    "publisher_place": place,
                    "volume": volume,
                    "issue": issue,
                    "pages": pages,
                    "url": f"https://example.org/{self.prefix}/{issued.year}/{pk}",
                    "doi": doi,
                    "accessed": issued + DAY * dice.between(1, 400),
                    "language": language,
                    "outlet_affiliation": affiliation,
                    "is_coded_document": dice.chance(0.02),
                }
            )
        return [(Source, rows)]

    def person(self) -> dict[str, str]:
        family = self.dice.pick(FAMILY)[0].removeprefix("al-")
        return {"family": family[:1].upper() + family[1:], "given": self.dice.pick(GIVEN)[0]}

    # Actors, their aliases and relations --------------------------------------------------
    def actors(self) -> list[tuple[type[models.Model], list[dict]]]:
        dice, first = self.dice, self.writer.next_id(Actor)
        alias_id = self.writer.next_id(ActorAlias)
        self.actor_ids = list(range(first, first + self.n_actors))
        # What statements and quotes call an actor: the name without its "(seed-n)" tag.
        self.labels: dict[int, str] = {}
        organisations: list[int] = []
        rows, aliases = [], []
        for index, pk in enumerate(self.actor_ids):
            number = f"{self.seed}-{index + 1}"
            kind, country = dice.pick(KIND_POOL), dice.pick(COUNTRY_POOL)
            if kind == choices.ActorKind.PERSON:
                parts, sector = [dice.pick(GIVEN), dice.pick(FAMILY)], dice.pick(PERSON_SECTORS)
            elif kind == choices.ActorKind.ORGANIZATION:
                parts, sector = [dice.pick(UNIT), dice.pick(UNIT_NAME)], dice.pick(ORG_SECTORS)
            elif kind == choices.ActorKind.COALITION:
                parts, sector = [dice.pick(BODY), dice.pick(BODY_NAME)], choices.Sector.PARTY
            else:
                latin, arabic, country = dice.pick(STATES)
                parts, sector = [(latin, arabic)], choices.Sector.GOVERNMENT
            latin, arabic = " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)
            language = "fa" if country == "IRN" else "ar"
            active_from = dice.a_date(1980, 2015) if dice.chance(0.5) else None
            parent = None
            if organisations and kind != choices.ActorKind.STATE and dice.chance(0.2):
                parent = dice.pick(organisations)
            rows.append(
                {
                    "id": pk,
                    "key": f"{self.prefix}-actor-{index + 1:05d}",
                    **self.review(index),
                    "name": f"{latin} ({number})",
                    "kind": kind,
                    "sector": sector,
                    "country": country,
                    "parent_id": parent,
                    "description": f"{choices.Sector(sector).label} ({choices.ActorKind(kind).label.lower()}) "
                    f"active in {dice.pick(PLACES)[0]}.",
                    "active_from": active_from,
                    "active_to": active_from + DAY * dice.between(365, 4000)
                    if active_from and dice.chance(0.3)
                    else None,
                    "wikidata_qid": f"Q{dice.between(1, 10**8)}" if dice.chance(0.1) else "",
                }
            )
            if kind in (choices.ActorKind.ORGANIZATION, choices.ActorKind.COALITION):
                organisations.append(pk)
            self.labels[pk] = latin
            # Two aliases, as a second source would spell the name: never equal, so unique ignoring case.
            aliases += [
                {
                    "id": alias_id,
                    "actor_id": pk,
                    "name": f"{_variant(latin)} ({number})",
                    "alias_type": choices.AliasType.TRANSLITERATION,
                    "language": "en",
                    "script": "Latn",
                },
                {
                    "id": alias_id + 1,
                    "actor_id": pk,
                    "name": f"{arabic} {number.translate(DIGITS[language])}",
                    "alias_type": choices.AliasType.TRANSLATION,
                    "language": language,
                    "script": "Arab",
                },
            ]
            alias_id += 2
        return [(Actor, rows), (ActorAlias, aliases)]

    def actor_relations(self) -> list[tuple[type[models.Model], list[dict]]]:
        dice, first = self.dice, self.writer.next_id(ActorRelation)
        rows, citations = [], []
        for index, subject in enumerate(self.actor_ids):
            other = dice.pick(self.actor_ids)
            if other == subject:
                other = self.actor_ids[(index + 1) % len(self.actor_ids)]
            start = dice.a_date(2003, 2020) if dice.chance(0.7) else None
            end = start + DAY * dice.between(30, 2000) if start and dice.chance(0.3) else None
            rows.append(
                {
                    "id": first + index,
                    "key": f"{self.prefix}-relation-{index + 1:05d}",
                    "subject_id": subject,
                    "relation_type": dice.pick(ACTOR_RELATION_TYPES),
                    "object_id": other,
                    "start": start,
                    "start_precision": dice.pick([choices.DatePrecision.DAY, choices.DatePrecision.YEAR]),
                    "end": end,
                    "end_precision": choices.DatePrecision.DAY,
                    "notes": "",
                }
            )
            citations.append(self.citation(actor_relation=first + index))
        return [(ActorRelation, rows), (Citation, citations)]

    # Themes and assumptions -------------------------------------------------------------------
    def themes(self) -> list[tuple[type[models.Model], list[dict]]]:
        dice, first = self.dice, self.writer.next_id(Theme)
        kinds = [
            (choices.ThemeKind.CHALLENGE, "Challenge: {}"),
            (choices.ThemeKind.OPPORTUNITY, "Opportunity: {}"),
            (choices.ThemeKind.RESPONSE, "Iran's response to {}"),
        ]
        rows = []
        for index in range(THEMES):
            kind, pattern = kinds[index % len(kinds)]
            topic = THEME_TOPICS[index // len(kinds) % len(THEME_TOPICS)]
            rows.append(
                {
                    "id": first + index,
                    "key": f"{self.prefix}-theme-{index + 1:02d}",
                    **self.review(index),
                    "kind": kind,
                    "name": pattern.format(topic),
                    "description": f"How {topic} bears on Iran's policy toward Iraq.",
                    "source_id": dice.pick(self.source_ids) if dice.chance(0.5) else None,
                }
            )
        self.theme_ids = [row["id"] for row in rows]
        return [(Theme, rows)]

    def assumptions(self) -> list[tuple[type[models.Model], list[dict]]]:
        # Claims bear on the project's own assumptions when it has them.
        existing = list(TheoryAssumption.objects.order_by("code").values_list("id", "label"))
        if existing:
            self.assumption_labels = existing
            return []
        first = self.writer.next_id(TheoryAssumption)
        rows = [
            {
                "id": first + index,
                "key": f"{self.prefix}-{code.lower()}",
                **self.review(index),
                "theory": choices.Theory.STRUCTURAL_REALISM,
                "branch": branch,
                "code": code,
                "label": label,
                "statement": statement,
                "proponents": "Kenneth Waltz; John Mearsheimer",
                "source_id": None,
                "source_locator": "",
                "parent_id": None,
            }
            for index, (code, branch, label, statement) in enumerate(ASSUMPTIONS)
        ]
        self.assumption_labels = [(row["id"], row["label"]) for row in rows]
        return [(TheoryAssumption, rows)]

    # Events and their participants ------------------------------------------------------------
    def events(self) -> list[tuple[type[models.Model], list[dict]]]:
        dice, first = self.dice, self.writer.next_id(Event)
        participant_id = self.writer.next_id(EventParticipant)
        rows, participants, citations = [], [], []
        for index in range(self.n_events):
            pk = first + index
            place, country = dice.pick(PLACES)
            actors = dice.sample(self.actor_ids, dice.between(2, 3))
            start = dice.a_date()
            by_day = dice.chance(0.8)
            month = MONTHS[start.month - 1]
            event_type = dice.pick(EVENT_TYPES)
            rows.append(
                {
                    "id": pk,
                    "key": f"{self.prefix}-event-{index + 1:05d}",
                    **self.review(index),
                    "title": f"{choices.EventType(event_type).label}: {self.labels[actors[0]]} in {place}",
                    "event_type": event_type,
                    "date_start": start,
                    "date_end": start + DAY * dice.between(1, 4) if by_day and dice.chance(0.2) else None,
                    "date_precision": choices.DatePrecision.DAY if by_day else choices.DatePrecision.MONTH,
                    "date_as_written": f"{month} {start.day}, {start.year}"
                    if by_day
                    else f"{dice.pick(['early', 'mid', 'late'])} {month} {start.year}",
                    "location": place,
                    "country": country,
                    "description": f"Over {dice.pick(TOPICS)}.",
                }
            )
            for actor, role in zip(actors, ROLES, strict=False):
                participants.append({"id": participant_id, "event_id": pk, "actor_id": actor, "role": role})
                participant_id += 1
            citations.append(self.citation(event=pk))
        self.event_ids = [row["id"] for row in rows]
        return [(Event, rows), (EventParticipant, participants), (Citation, citations)]

    # Citations --------------------------------------------------------------------------------
    def citation(
        self, *, claim: int | None = None, event: int | None = None, actor_relation: int | None = None
    ) -> dict:
        dice = self.dice
        source = dice.pick(self.source_ids)
        locator_type = dice.pick(LOCATOR_POOL)
        if locator_type == choices.LocatorType.SECTION:
            locator = f"§{dice.between(1, 9)} ¶{dice.between(1, 12)}"
        elif locator_type == choices.LocatorType.PARAGRAPH:
            locator = f"¶{dice.between(1, 40)}"
        else:
            locator = str(dice.between(1, 240))
        day = dice.a_date()
        quote = (
            f"{self.labels[dice.pick(self.actor_ids)]} said that {dice.pick(TOPICS)} {dice.pick(SAYINGS)} "
            f"({dice.pick(OUTLETS)[0]}, {MONTHS[day.month - 1]} {day.day}, {day.year})."
        )
        if dice.chance(0.1):
            quote = quote.replace("Iraq", dice.pick(["Irag", "lraq"]))  # OCR errors are quoted as printed
        cited_in = dice.pick(self.source_ids) if dice.chance(0.05) else None
        self.citation_id += 1
        return {
            "id": self.citation_id - 1,
            "source_id": source,
            "locator_type": locator_type,
            "locator": locator,
            "quote": quote,
            "as_cited_in_id": cited_in if cited_in != source else None,
            "claim_id": claim,
            "event_id": event,
            "actor_relation_id": actor_relation,
        }

    # Claims and their links, a chunk at a time ------------------------------------------------
    def claim_chunks(self, ids: dict[type[models.Model], int]) -> Iterator[list[tuple[type[models.Model], list[dict]]]]:
        dice, first_claim = self.dice, ids[Claim]
        actors_through, themes_through, events_through = M2M_MODELS
        for start in range(0, self.claims, CHUNK_CLAIMS):
            claims, citations, links = [], [], []
            actor_links, theme_links, event_links = [], [], []
            for index in range(start, min(self.claims, start + CHUNK_CLAIMS)):
                pk = first_claim + index
                kind, modality = dice.pick(CLAIM_KINDS), dice.pick(MODALITY_POOL)
                actors = dice.sample(self.actor_ids, dice.between(1, 3))
                period_start = dice.a_date() if dice.chance(0.8) else None
                claims.append(
                    {
                        "id": pk,
                        "key": f"{self.prefix}-claim-{index + 1:07d}",
                        **self.review(index),
                        "statement": self.statement(kind, actors),
                        "kind": kind,
                        "modality": modality,
                        # A reported statement names whose it is (a database rule).
                        "attributed_to_id": actors[0] if modality == choices.Modality.REPORTS else None,
                        "confidence": dice.pick(CONFIDENCE_POOL),
                        "period_start": period_start,
                        "period_end": period_start + DAY * dice.between(0, 900)
                        if period_start and dice.chance(0.6)
                        else None,
                    }
                )
                for actor in actors:
                    actor_links.append({"id": ids[actors_through], "claim_id": pk, "actor_id": actor})
                    ids[actors_through] += 1
                theme_links.append({"id": ids[themes_through], "claim_id": pk, "theme_id": dice.pick(self.theme_ids)})
                ids[themes_through] += 1
                if dice.chance(0.1):
                    event_links.append(
                        {"id": ids[events_through], "claim_id": pk, "event_id": dice.pick(self.event_ids)}
                    )
                    ids[events_through] += 1
                # 1.5 citations on average: one or two.
                citations.append(self.citation(claim=pk))
                if dice.chance(0.5):
                    citations.append(self.citation(claim=pk))
                # One assumption link on average: 10% none, 80% one, 10% two.
                draw = dice.random()
                n_links = min(0 if draw < 0.1 else 2 if draw > 0.9 else 1, len(self.assumption_labels))
                for assumption, label in dice.sample(self.assumption_labels, n_links):
                    relation = dice.pick(RELATIONS)
                    links.append(
                        {
                            "id": ids[ClaimAssumption],
                            "claim_id": pk,
                            "assumption_id": assumption,
                            "relation": relation,
                            "rationale": f"{self.labels[actors[0]]} acting on {dice.pick(TOPICS)} {relation} "
                            f"the assumption: {label.lower()}.",
                            "attribution": dice.pick(ATTRIBUTION_POOL),
                        }
                    )
                    ids[ClaimAssumption] += 1
            yield [
                (Claim, claims),
                (actors_through, actor_links),
                (themes_through, theme_links),
                (events_through, event_links),
                (Citation, citations),
                (ClaimAssumption, links),
            ]

    def statement(self, kind: str, actors: list[int]) -> str:
        dice = self.dice
        a = self.labels[actors[0]]
        b = self.labels[actors[-1]] if len(actors) > 1 else dice.pick(["Baghdad", "Tehran", "Washington"])
        place, topic, year = dice.pick(PLACES)[0], dice.pick(TOPICS), dice.between(2013, 2023)
        match kind:
            case choices.ClaimKind.FACTUAL:
                return f"{a} met {b} in {place} in {year} to discuss {topic}."
            case choices.ClaimKind.CAUSAL:
                return f"Pressure from {a} over {topic} led to {dice.pick(OUTCOMES)} in {place} in {year}."
            case choices.ClaimKind.INTERPRETIVE:
                return f"{a} treats {topic} as a test of Iran's influence over {b}."
            case choices.ClaimKind.INTENT:
                return f"{a} seeks to {dice.pick(GOALS)}, using {topic} as leverage on {b}."
            case choices.ClaimKind.PREDICTIVE:
                return f"{a} is likely to {dice.pick(GOALS)} before {year}, whatever {b} decides."
            case _:
                return f"{a}'s handling of {topic} weakened the standing of {b} in {place}."


def _variant(name: str) -> str:
    """Another transliteration of `name` (never the same text, so the alias adds something)."""
    for latin, other in VARIANTS:
        if latin in name:
            return name.replace(latin, other)
    return name.replace(" ", "-") if " " in name else f"{name}i"


def _user(username: str, role: str) -> AbstractBaseUser:
    """The synthetic coder or supervisor; created without a usable password (nobody logs in as them)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None, is_staff=True)
        group = Group.objects.filter(name=role).first()
        if group is not None:
            user.groups.add(group)
    return user
