"""Benchmarks at scale: export, import, admin, public pages and API on N claims.

    python bench/run.py --claims 100000 [--import-rows 20000] [--json]

Runs on the configured database (DATABASE_URL; without it a SQLite file of its own,
var/bench.sqlite3, never the developer's db.sqlite3). Migrates, tops the database up to N
claims with the synthetic generator, then measures; see bench/README.md for the metrics.
A script, not a test: it asserts that every page answers 200 and that the import wrote
rows, and leaves judging the numbers to whoever reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
import warnings
from base64 import b64encode
from collections.abc import Callable, Iterable, Sequence
from itertools import cycle, islice
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 50
DEEP_PAGE = 5000
SEARCH_TERM = "Samarra"  # a place in about 3% of synthetic statements
# Words from rare to everywhere in the synthetic corpus (statements, quotes or both); a claim key
# from the middle of the table is added as the rarest.
SEARCH_SPREAD = ("Samarra", "Kayhan", "pressure", "Iran")
HOST = "localhost"
IMPORT_RUNS = 3
# The writes' order, round by round (see measure_writes): in three rounds each follows each of the
# others; the import runs first, as the floor sends what it wrote.
WRITE_ORDERS = (("ours", "floor", "theirs"), ("floor", "ours", "theirs"), ("ours", "theirs", "floor"))
EXPORT_RUNS = 3


def setup() -> None:
    """Django with the project's production settings, and what a benchmark needs on top."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "influence_db.settings")
    os.environ.setdefault("SECRET_KEY", f"bench-only-{secrets.token_hex(16)}")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    # Admin pages name static files; a benchmark has no collectstatic manifest.
    os.environ.setdefault("STATIC_MANIFEST", "False")
    (ROOT / "var").mkdir(exist_ok=True)
    # WhiteNoise warns on every request that collectstatic has not run: noise in a benchmark.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.conf import settings

    if HOST not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]


# --- Preparing the database ------------------------------------------------------------------


def ensure_claims(claims: int) -> float | None:
    """Top the database up to `claims` claims with a further synthetic batch; seconds it took, or None."""

    from influence_db.coding.models import Claim
    from influence_db.coding.synthetic import free_seed, generate

    missing = claims - Claim.objects.count()
    if missing <= 0:
        return None
    seconds = generate(claims=missing, seed=free_seed()).seconds
    vacuum()  # the first reader should not pay for the load
    return seconds


def vacuum() -> None:
    """PostgreSQL: what autovacuum would have done by the time anyone reads the data (hint bits, the
    visibility map, dead rows of a rolled-back import, fresh statistics). It may be off, as it is on
    the machine the README's numbers come from; untimed."""
    _untimed("VACUUM (ANALYZE)")


def checkpoint() -> None:
    """PostgreSQL: a CHECKPOINT before each timed write, so that every run starts as an occasional import
    does: the first change to each page after a checkpoint writes the whole page to the write-ahead log.
    Without it, runs in quick succession find the pages already logged by the run before (an import
    wrote 160 MB of WAL that way, 250 MB after a checkpoint) and the rate depends on where the server's
    own checkpoints fall. Untimed; it needs a superuser or the pg_checkpoint role."""
    _untimed("CHECKPOINT")


def _untimed(statement: str) -> None:
    """PostgreSQL, outside a transaction (neither statement runs inside one; the tests' data is never
    committed, so there is nothing for them to do there)."""
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(statement)


def bench_supervisor():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from influence_db.coding.roles import SUPERVISOR

    user = get_user_model().objects.filter(groups__name=SUPERVISOR, is_staff=True, is_active=True).first()
    if user is None:
        user, _ = get_user_model().objects.get_or_create(username="bench-supervisor", defaults={"is_staff": True})
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=SUPERVISOR))
    return user


# --- Measuring -------------------------------------------------------------------------------


def median_ms(request: Callable[[], object], times: int, *, warm_up: int = 1) -> float:
    """Median wall time of `request` in milliseconds, after `warm_up` untimed calls."""
    return round(statistics.median(in_turn_ms([request], times, warm_up=warm_up)[0]), 1)


def in_turn_ms(requests: Sequence[Callable[[], object]], times: int, *, warm_up: int = 1) -> list[list[float]]:
    """Wall times in milliseconds of each of `requests`, `times` each, the requests taking turns (after
    `warm_up` untimed rounds), so that a slower spell of the machine falls on all of them alike."""
    for _ in range(warm_up):
        for request in requests:
            request()
    durations: list[list[float]] = [[] for _ in requests]
    for _ in range(times):
        for request, taken in zip(requests, durations, strict=True):
            started = time.perf_counter()
            request()
            taken.append((time.perf_counter() - started) * 1000)
    return durations


def get_ok(client, path: str, data: dict | None = None):
    response = client.get(path, data or {}, secure=True, HTTP_HOST=HOST)
    if response.status_code != 200:
        raise AssertionError(f"GET {path} {data or ''} answered {response.status_code}, not 200")
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def consume(chunks: Iterable[bytes]) -> int:
    return sum(len(chunk) for chunk in chunks)


def measure_export() -> dict:
    """Stream the full claims export and report rows/s and the peak RSS growth while streaming."""
    from influence_db.coding.models import Claim
    from influence_db.exchange.datasets import DATASETS
    from influence_db.exchange.export import stream_csv

    rows = Claim.objects.count()
    baseline = _reset_peak_rss()
    started = time.perf_counter()
    size = consume(stream_csv(DATASETS["claims-full"], all_statuses=True))
    seconds = time.perf_counter() - started
    return {
        "rows": rows,
        "bytes": size,
        "rows_per_s": round(rows / seconds),
        "rss_growth_mb": round(max(0, _peak_rss_kb() - baseline) / 1024, 1),
    }


def measure_copy(*, same_rows: bool) -> float | None:
    """PostgreSQL's own COPY, with no Python in the way: of the export's own SELECT (the same
    rows and bytes: what our streaming costs), or of the bare claims table in key order (what
    the names, lists and formula escaping of the export cost on top)."""
    from django.db import connection

    from influence_db.coding.models import Claim
    from influence_db.exchange.datasets import DATASETS
    from influence_db.exchange.sql import Dialect

    if connection.vendor != "postgresql":
        return None
    rows = Claim.objects.count()
    if same_rows:
        query, params = DATASETS["claims-full"].select(Dialect(connection.vendor), all_statuses=True)
    else:
        query, params = "SELECT t.* FROM coding_claim t ORDER BY t.key", []
    connection.ensure_connection()
    started = time.perf_counter()
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)", params) as copy:
            consume(bytes(block) for block in copy)
    return round(rows / (time.perf_counter() - started))


def measure_exports(*, in_child: bool, runs: int = EXPORT_RUNS) -> dict:
    """The full export and its two COPY yardsticks, taken in turn for `runs` rounds, as the writes are. Each
    export runs in a fresh interpreter (`in_child`) so that its RSS peak is its own; the growth reported
    is the largest of the rounds'."""
    export = export_in_child if in_child else measure_export
    rounds = [(export(), measure_copy(same_rows=True), measure_copy(same_rows=False)) for _ in range(runs)]
    exports, copies, tables = zip(*rounds, strict=True)
    rates = [run["rows_per_s"] for run in exports]
    has_copy = None not in copies
    return {
        "export_rows_per_s": round(statistics.median(rates)),
        "copy_rows_per_s": round(statistics.median(copies)) if has_copy else None,
        "export_vs_copy": median_ratio(rates, copies) if has_copy else None,
        "table_copy_rows_per_s": round(statistics.median(tables)) if has_copy else None,
        "export_vs_table_copy": median_ratio(rates, tables) if has_copy else None,
        "export_rss_growth_mb": max(run["rss_growth_mb"] for run in exports),
    }


def export_in_child() -> dict:
    """measure_export() in a fresh interpreter, so that nothing this process allocated skews the RSS peak."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure-export"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"The export child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def coding_sheet(rows: int) -> bytes:
    """A coding sheet of `rows` new claims that name existing actors, sources, themes and assumptions."""
    import csv
    import io

    from influence_db.coding.models import Actor, Source, Theme, TheoryAssumption
    from influence_db.exchange.coding_sheet import COLUMNS

    # Canonical names, as a coder types them; only names that name one actor.
    names = [
        name
        for name in Actor.objects.order_by("pk").values_list("name", flat=True)[:300]
        if name == name.strip() and ";" not in name and Actor.objects.named(name).count() == 1
    ]
    sources = list(Source.objects.order_by("pk").values_list("key", flat=True)[:500])
    themes = list(Theme.objects.order_by("pk").values_list("key", flat=True)[:30])
    codes = list(TheoryAssumption.objects.order_by("code").values_list("code", flat=True))
    if not (names and sources and themes and codes):
        raise RuntimeError("The database needs actors, sources, themes and assumptions to import against.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n in range(rows):
        actors = sorted({names[n % len(names)], names[(n * 7 + 3) % len(names)]})
        row = {
            "claim": f"bench-import-{n + 1:07d}",
            "source": sources[n % len(sources)],
            "locator_type": "page",
            "locator": str(n % 200 + 1),
            "quote": f"Officials in Baghdad said the agreement (no. {n}) would be renewed.",
            "statement": f"{actors[0]} pressed Baghdad to renew agreement no. {n} before the elections.",
            "kind": "factual",
            "modality": "asserts",
            "confidence": "medium",
            "actors": "; ".join(actors),
            "themes": themes[n % len(themes)],
            "period_start": "2020-01-01",
            "period_end": "2020-12-31",
            "assumptions": f"{codes[n % len(codes)]}:supports",
            "rationale": "Pressure on Baghdad serves Iran's security as the assumption expects.",
            "link_by": "coder",
        }
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode()


def rolled_back(write: Callable[[], None], check: Callable[[], None]) -> float:
    """Seconds `write()` takes, from a checkpoint, with the foreign-key checks its commit would run; then
    `check()` sees what it wrote and all of it is rolled back: the database stays at N claims."""
    from django.db import connection, transaction

    checkpoint()
    with transaction.atomic():
        started = time.perf_counter()
        write()
        if connection.vendor == "postgresql":
            # Foreign keys are checked at commit (Django makes them deferred): check them now, in the
            # timed span, as a real commit would.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        check()
        transaction.set_rollback(True)
    vacuum()  # the rolled-back rows are dead weight for the next run
    return seconds


def adds_claims(rows: int, writer: str) -> Callable[[], None]:
    """A `check` for rolled_back: the write added `rows` claims to those there now."""
    from influence_db.coding.models import Claim

    before = Claim.objects.count()

    def check() -> None:
        added = Claim.objects.count() - before
        if added != rows:
            raise AssertionError(f"{writer} wrote {added} claims for {rows}")

    return check


def measure_writes(rows: int, user, *, runs: int = IMPORT_RUNS) -> dict:
    """The coding-sheet import of `rows` new claims and its two yardsticks, PostgreSQL's own COPY of the
    rows it wrote and django-import-export, each timed and rolled back, taken in turn for `runs` rounds:
    a slower spell of the machine falls on all three alike. A rate is the median of its runs, a ratio the
    median of the rounds' ratios. The order changes from round to round (WRITE_ORDERS): a run is faster
    right after one that touched the same index pages (the floor after ours, ours after the floor), so
    none of them always follows the same one."""
    written: dict = {}
    runners = {
        "ours": import_run(rows, user, written),
        "floor": written_copy_run(rows, written),  # sends what the first import run wrote
        "theirs": import_export_run(rows),
    }
    rates: dict[str, list] = {name: [] for name in runners}
    for order in islice(cycle(WRITE_ORDERS), runs):
        for name in order:
            rates[name].append(runners[name]() if runners[name] else None)
    ours, floor, theirs = rates["ours"], rates["floor"], rates["theirs"]
    has_floor = runners["floor"] is not None
    return {
        "import_rows": rows,
        "import_rows_per_s": round(statistics.median(ours), 1),
        "import_history_rows": written["history_rows"],
        "import_rows_written": sum(count for count, _ in written["tables"].values()),
        "import_copy_rows_per_s": round(statistics.median(floor), 1) if has_floor else None,
        "import_vs_copy": median_ratio(ours, floor) if has_floor else None,
        "import_export_rows_per_s": round(statistics.median(theirs), 1),
        "import_vs_import_export": median_ratio(ours, theirs),
    }


def median_ratio(rates: Sequence[float], yardsticks: Sequence[float], *, digits: int = 3) -> float:
    """The median of rate ÷ yardstick, round by round."""
    ratios = (rate / yardstick for rate, yardstick in zip(rates, yardsticks, strict=True))
    return round(statistics.median(ratios), digits)


def import_run(rows: int, user, written: dict) -> Callable[[], float]:
    """One timed run of the coding-sheet import of `rows` new claims, in rows/s. `written` gets the
    history rows it wrote and, on PostgreSQL, every row it wrote, table by table, for `written_copy_run`."""
    from influence_db.coding.models import Claim
    from influence_db.exchange.importing import run_import

    data = coding_sheet(rows)
    before = Claim.objects.count(), Claim.history.count()
    tops = table_tops()

    def write() -> None:
        written["report"] = run_import("coding-sheet", data, user=user, file_name="bench-coding-sheet.csv")

    def check() -> None:
        new_claims, history_rows = Claim.objects.count() - before[0], Claim.history.count() - before[1]
        if written["report"].new != rows or new_claims != rows or history_rows < rows:
            raise AssertionError(f"The import wrote {new_claims} claims and {history_rows} history rows for {rows}")
        written["history_rows"] = history_rows
        if "tables" not in written:  # the same rows each run, bar the ids
            written["tables"] = written_rows(tops)

    return lambda: rows / rolled_back(write, check)


def table_tops() -> dict[type, int]:
    """The highest primary key in each table of the coding app (history and list tables included)."""
    from django.apps import apps
    from django.db.models import Max

    return {
        model: model._base_manager.aggregate(top=Max("pk"))["top"] or 0
        for model in apps.get_app_config("coding").get_models(include_auto_created=True)
    }


def written_rows(tops: dict[type, int]) -> dict[type, tuple[int, bytes]]:
    """What was written since `tops`, per table: how many rows, and (PostgreSQL) the rows in COPY's
    binary format, every column in table order, ids included. Elsewhere the rows are not kept."""
    from django.db import connection

    written = {}
    for model, top in tops.items():
        count = model._base_manager.filter(pk__gt=top).count()
        if not count:
            continue
        data = b""
        if connection.vendor == "postgresql":
            quote = connection.ops.quote_name
            query = f"SELECT * FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} > %s"
            with connection.cursor() as cursor, cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)", [top]) as copy:
                data = b"".join(bytes(block) for block in copy)
        written[model] = (count, data)
    return written


def written_copy_run(rows: int, written: dict) -> Callable[[], float] | None:
    """One timed run of PostgreSQL's own floor for the import's writes: the very rows one import wrote
    (`written["tables"]`, from the import's first run), sent back with COPY into the same tables (their
    indexes, and the foreign-key checks at commit) with no Python in the way; sheet rows/s, rolled back as
    the import is. None on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    quote = connection.ops.quote_name

    def write() -> None:
        with connection.cursor() as cursor:
            for model, (_, data) in written["tables"].items():
                with cursor.copy(f"COPY {quote(model._meta.db_table)} FROM STDIN (FORMAT binary)") as copy:
                    copy.write(data)

    check = adds_claims(rows, "COPY")
    return lambda: rows / rolled_back(write, check)


def import_export_run(rows: int) -> Callable[[], float]:
    """One timed run of the claims of the same sheet through django-import-export in its bulk mode, tuned
    as its documentation advises (bulk_create in batches, no diff, no lookup of existing rows), in
    rows/s. Claims alone: its bulk mode writes no lists, and nothing here writes citations,
    links or history, so it does about a twelfth of the coding-sheet import's writes."""
    import tablib
    from import_export.resources import ModelResource

    from influence_db.coding.models import Claim

    class TunedClaimResource(ModelResource):
        class Meta:
            model = Claim
            fields = ("key", "statement", "kind", "modality", "confidence", "period_start", "period_end")
            import_id_fields = ("key",)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

    dataset = tablib.Dataset().load(coding_sheet(rows).decode(), format="csv")
    dataset.headers = ["key" if name == "claim" else name for name in dataset.headers]
    for name in set(dataset.headers) - set(TunedClaimResource._meta.fields):
        del dataset[name]

    def write() -> None:
        TunedClaimResource().import_data(dataset, use_transactions=False, raise_errors=True)

    check = adds_claims(rows, "django-import-export")
    return lambda: rows / rolled_back(write, check)


def is_full_count(sql: str) -> bool:
    """A COUNT(*) over the whole claims table (no WHERE, no LIMIT): what a changelist of a million rows
    cannot afford. A count capped by a LIMIT inside is not one."""
    upper = sql.upper()
    return "COUNT(*)" in upper and '"CODING_CLAIM"' in upper and " WHERE " not in upper and " LIMIT " not in upper


def measure_pages(user, *, search_term: str | None = None) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from influence_db.coding.choices import Status
    from influence_db.coding.models import Claim

    staff = Client()
    staff.force_login(user)
    changelist = reverse("admin:coding_claim_changelist")
    result: dict[str, object] = {"changelist_ms": median_ms(lambda: get_ok(staff, changelist), 7)}
    with CaptureQueriesContext(connection) as queries:
        get_ok(staff, changelist)
    result["changelist_queries"] = len(queries)
    result["changelist_full_count"] = any(is_full_count(query["sql"]) for query in queries.captured_queries)

    term = search_term or find_search_term()
    result["search_term"] = term
    result["search_ms"] = search_ms(staff, changelist, term)
    result["search_spread"] = [
        {"term": word, "matches": Claim.objects.search(word).count(), "ms": search_ms(staff, changelist, word)}
        for word in (*SEARCH_SPREAD, middle_key())
    ]
    result["search_worst_ms"] = max(entry["ms"] for entry in result["search_spread"])
    # The supervisor's review queue (claims awaiting review, oldest first), and searched for the commonest word.
    queue = {"queue": "awaiting"}
    result["queue_ms"] = median_ms(lambda: get_ok(staff, changelist, queue), 7)
    result["queue_search_term"] = SEARCH_SPREAD[-1]
    result["queue_search_ms"] = median_ms(lambda: get_ok(staff, changelist, {**queue, "q": SEARCH_SPREAD[-1]}), 5)
    staff.logout()

    public = Client()
    result["api_list_ms"] = median_ms(lambda: get_ok(public, "/api/claims/"), 7)

    # The keyset cursor of page 5,000 (or the last page), built as DRF builds it: base64 of "p=<last key before it>".
    approved = Claim.objects.filter(status=Status.APPROVED).order_by("key")
    total = approved.count()
    position = min((DEEP_PAGE - 1) * PAGE_SIZE, max(0, total - PAGE_SIZE))
    query: dict[str, str] = {}
    expected = None
    if position:
        before, expected = approved.values_list("key", flat=True)[position - 1 : position + 1]
        query["cursor"] = b64encode(urlencode({"p": before}).encode()).decode()
    deep = get_ok(public, "/claims/", query)
    if expected is not None and expected not in deep.content.decode():
        raise AssertionError(f"The deep page does not start at claim {expected}")
    result["deep_page_position"] = position
    # The first page and the deep page in turn: their ratio is the median of each turn's.
    firsts, deeps = in_turn_ms([lambda: get_ok(public, "/claims/"), lambda: get_ok(public, "/claims/", query)], 7)
    result["public_list_ms"] = round(statistics.median(firsts), 1)
    result["deep_page_ms"] = round(statistics.median(deeps), 1)
    result["deep_vs_first"] = median_ratio(deeps, firsts, digits=2)
    return result


def search_ms(client, changelist: str, word: str) -> float:
    """The admin claims changelist searching for `word`: median of 5."""
    return median_ms(lambda: get_ok(client, changelist, {"q": word}), 5)


def middle_key() -> str:
    from influence_db.coding.models import Claim

    return Claim.objects.order_by("key").values_list("key", flat=True)[Claim.objects.count() // 2]


def find_search_term() -> str:
    """SEARCH_TERM if some statement holds it, else the longest word of a statement from the middle of the table."""
    from influence_db.coding.models import Claim

    if Claim.objects.filter(statement__contains=SEARCH_TERM).exists():
        return SEARCH_TERM
    count = Claim.objects.count()
    statement = Claim.objects.order_by("key").values_list("statement", flat=True)[count // 2]
    return max(re.findall(r"[A-Za-z]{4,}", statement) or ["Iraq"], key=len)


def database() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return f"{connection.vendor} {version}"


def measure(*, import_rows: int, export_child: bool = True, search_term: str | None = None) -> dict:
    """Every metric on the database as it is (see bench/README.md)."""
    from influence_db.coding.models import Claim

    user = bench_supervisor()
    return {
        "claims": Claim.objects.count(),
        "database": database(),
        **measure_exports(in_child=export_child),
        **measure_writes(import_rows, user),
        **measure_pages(user, search_term=search_term),
    }


# --- Peak memory (Linux: /proc; elsewhere the process's maximum RSS) -------------------------


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> int:
    """Reset the peak RSS to the current RSS where the kernel allows it; return the baseline in kB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset VmHWM (Linux 4.0+)
        return _status_kb("VmRSS") or 0
    except OSError:
        return _peak_rss_kb()


def _peak_rss_kb() -> int:
    peak = _status_kb("VmHWM")
    if peak is not None:
        return peak
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- Command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=20_000, help="Claims the database should hold (default 20000).")
    parser.add_argument("--import-rows", type=int, default=20_000, help="Coding-sheet rows to import (default 20000).")
    parser.add_argument("--search-term", help=f"Admin search term (default {SEARCH_TERM!r} if it occurs).")
    parser.add_argument("--json", action="store_true", help="Print one JSON line.")
    parser.add_argument("--measure-export", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    setup()
    if args.measure_export:
        print(json.dumps(measure_export()))
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    generate_s = ensure_claims(args.claims)
    result = measure(import_rows=args.import_rows, search_term=args.search_term)
    result["generate_s"] = round(generate_s, 1) if generate_s is not None else None
    if args.json:
        print(json.dumps(result))
    else:
        width = max(len(name) for name in result)
        for name, value in result.items():
            print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
