"""`manage.py import_csv DATASET FILE --user NAME [--dry-run]`: the same import as run_import,
with a refused file, an unknown user, a missing file or a user who may not import turned
into a CommandError that says why, and nothing written."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from influence_db.coding import choices, models
from influence_db.coding.choices import Status
from tests import factories
from tests.exchange.test_import import not_a_choice, snapshot, table

pytestmark = pytest.mark.django_db

ACTORS = table(
    ["key", "name", "kind", "sector", "country", "parent"],
    ["irgc", "Islamic Revolutionary Guard Corps", "organization", "military", "IRN", ""],
    ["quds-force", "IRGC Quds Force", "organization", "military", "IRN", "irgc"],
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run(*args: object) -> str:
    out = StringIO()
    call_command("import_csv", *[str(arg) for arg in args], stdout=out, stderr=StringIO())
    return out.getvalue()


def test_imports_a_file(supervisor, tmp_path):
    path = write(tmp_path, "actors.csv", ACTORS)
    assert run("actors", path, "--user", "supervisor") == "Imported actors: 2 new, 0 updated.\n"
    quds = models.Actor.objects.get(key="quds-force")
    assert (quds.parent.key, quds.status, quds.created_by) == ("irgc", Status.DRAFT, supervisor)
    (created,) = models.Actor.history.filter(id=quds.pk)
    assert (created.history_user, created.history_change_reason) == (supervisor, "Imported from actors.csv")


def test_reimport_reports_updates(supervisor, tmp_path):
    path = write(tmp_path, "actors.csv", ACTORS)
    run("actors", path, "--user", "supervisor")
    assert run("actors", path, "--user", "supervisor") == "Imported actors: 0 new, 2 updated.\n"
    assert models.Actor.objects.count() == 2


def test_the_file_name_not_its_path_is_the_reason(supervisor, tmp_path):
    (tmp_path / "batch 3").mkdir()
    path = write(tmp_path / "batch 3", "zimmt-2020 actors.csv", ACTORS)
    run("actors", path, "--user", "supervisor")
    reasons = set(models.Actor.history.values_list("history_change_reason", flat=True))
    assert reasons == {"Imported from zimmt-2020 actors.csv"}


def test_dry_run_writes_nothing(supervisor, tmp_path):
    path = write(tmp_path, "actors.csv", ACTORS)
    before = snapshot()
    assert run("actors", path, "--user", "supervisor", "--dry-run") == "Would import actors: 2 new, 0 updated.\n"
    assert snapshot() == before


def test_bad_file_lists_every_problem(supervisor, tmp_path):
    data = table(
        ["key", "name", "kind", "country"],
        ["irgc", "Islamic Revolutionary Guard Corps", "organization", "IRN"],
        ["quds-force", "IRGC Quds Force", "militia", "IRN"],
        ["soleimani", "Qasem Soleimani", "person", "Iran"],
        ["irgc", "IRGC", "organization", ""],
    )
    path = write(tmp_path, "actors.csv", data)
    before = snapshot()
    with pytest.raises(CommandError) as info:
        run("actors", path, "--user", "supervisor")
    assert snapshot() == before
    lines = str(info.value).splitlines()
    assert lines[0] == "actors.csv was not imported; nothing was written:"
    assert lines[1] == not_a_choice(3, "kind", "militia", choices.ActorKind)
    assert lines[2].startswith("row 4, column country, value “Iran”: ")
    assert lines[-1] == "row 5, column key, value “irgc”: the same key as row 2."


def test_bad_file_in_a_dry_run_is_refused_too(supervisor, tmp_path):
    path = write(tmp_path, "actors.csv", table(["key", "name", "kind"], ["irgc", "IRGC", "militia"]))
    with pytest.raises(CommandError, match="row 2, column kind, value “militia”"):
        run("actors", path, "--user", "supervisor", "--dry-run")


def test_file_that_is_not_utf8(supervisor, tmp_path):
    data = "key,name,kind\nkataib-hizballah,كتائب حزب الله,organization\n".encode("cp1256")
    path = write(tmp_path, "aliases from excel.csv", data)
    with pytest.raises(CommandError) as info:
        run("actors", path, "--user", "supervisor")
    message = str(info.value)
    assert message.startswith("aliases from excel.csv was not imported; nothing was written:\nThe file is not UTF-8")
    assert "Windows-1256 (Arabic)" in message
    assert models.Actor.objects.count() == 0


def test_empty_file(supervisor, tmp_path):
    path = write(tmp_path, "actors.csv", b"")
    with pytest.raises(CommandError) as info:
        run("actors", path, "--user", "supervisor")
    assert str(info.value) == "actors.csv was not imported; nothing was written:\nThe file is empty."


def test_unknown_user(db, tmp_path):
    path = write(tmp_path, "actors.csv", ACTORS)
    with pytest.raises(CommandError) as info:
        run("actors", path, "--user", "nobody")
    assert str(info.value) == "No user is called nobody."
    assert models.Actor.objects.count() == 0


def test_user_is_required(supervisor, tmp_path):
    path = write(tmp_path, "actors.csv", ACTORS)
    with pytest.raises(CommandError, match="--user"):
        run("actors", path)


def test_missing_file(supervisor, tmp_path):
    path = tmp_path / "no-such-file.csv"
    with pytest.raises(CommandError) as info:
        run("actors", path, "--user", "supervisor")
    assert str(info.value) == f"Cannot read {path}: No such file or directory"


def test_a_directory_is_not_a_file(supervisor, tmp_path):
    with pytest.raises(CommandError, match=f"^Cannot read {re.escape(str(tmp_path))}: "):
        run("actors", tmp_path, "--user", "supervisor")


def test_unknown_dataset(supervisor, tmp_path):
    path = write(tmp_path, "actors.csv", ACTORS)
    with pytest.raises(CommandError, match="invalid choice: 'militias'"):
        run("militias", path, "--user", "supervisor")


@pytest.mark.parametrize("persona", ["coder", "viewer"])
def test_only_supervisors_import(request, tmp_path, persona):
    request.getfixturevalue(persona)
    path = write(tmp_path, "actors.csv", ACTORS)
    with pytest.raises(CommandError, match=rf"^{persona} may not import files \(supervisors can\)\.$"):
        run("actors", path, "--user", persona)
    assert models.Actor.objects.count() == 0


def test_coding_sheet(supervisor, tmp_path):
    source = factories.SourceFactory(key="zimmt-2020")
    quds = factories.ActorFactory(key="quds-force", name="IRGC Quds Force")
    factories.ActorAliasFactory(actor=quds, name="Quds Force")
    factories.TheoryAssumptionFactory(code="SR-SELF-HELP")
    data = table(
        ["claim", "source", "locator", "quote", "statement", "kind", "actors", "assumptions", "rationale", "link_by"],
        [
            "quds-arms-militias",
            "zimmt-2020",
            "3",
            "The Qods Force continues to arm the militias.",
            "The Quds Force arms Iraqi militias.",
            "factual",
            "Quds Force",
            "SR-SELF-HELP:illustrates",
            "Arming allies is self-help.",
            "coder",
        ],
        [
            "quds-arms-militias",
            "zimmt-2020",
            "4",
            "Weapons keep flowing.",
            "The Quds Force arms Iraqi militias.",
            "factual",
            "Quds Force",
            "",
            "",
            "",
        ],
    )
    path = write(tmp_path, "coding-sheet.csv", data)
    assert run("coding-sheet", path, "--user", "supervisor") == "Imported coding-sheet: 1 new, 1 updated.\n"
    claim = models.Claim.objects.get(key="quds-arms-militias")
    assert list(claim.actors.all()) == [quds]
    assert sorted(claim.citations.values_list("source", "locator")) == [(source.pk, "3"), (source.pk, "4")]
    assert list(claim.assumption_links.values_list("relation", "attribution")) == [("illustrates", "coder")]
