"""Zotero interop: CSL-JSON in and out, all or nothing."""

from __future__ import annotations

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from influence_db.coding import choices, models
from influence_db.exchange.csl import export_csl, import_csl
from influence_db.exchange.reading import ImportRefused

pytestmark = pytest.mark.django_db

# What Zotero writes for "Export Collection… → CSL JSON": opaque ids, string date parts.
ZOTERO = [
    {
        "id": "http://zotero.org/users/1/items/ABCD1234",
        "type": "book",
        "title": "Theory of International Politics",
        "author": [{"family": "Waltz", "given": "Kenneth N."}],
        "issued": {"date-parts": [["1979"]]},
        "publisher": "Addison-Wesley",
        "publisher-place": "Reading, MA",
    },
    {
        "id": "irna-2020-06-03",
        "type": "article-newspaper",
        "title": "[Qaani in Baghdad]",
        "container-title": "IRNA",
        "issued": {"date-parts": [[2020, 6, 3]]},
        "URL": "https://en.irna.ir/news/1",
        "accessed": {"date-parts": [[2020, 7, 1]]},
        "custom": {"outlet_affiliation": "Official news agency"},
    },
    {
        "id": "ITEM-3",
        "citation-key": "zimmt-2020-iran-iraq",
        "type": "report",
        "title": "Iran faces growing challenges in Iraq",
        "author": [{"family": "Zimmt", "given": "Raz"}, {"literal": "Meir Amit Center"}],
        "issued": {"date-parts": [[2020, 7]]},
        "custom": {"is_coded_document": True},
    },
]


def zotero_bytes(items=ZOTERO) -> bytes:
    return json.dumps(items).encode()


def test_a_zotero_export_imports_as_drafts_with_keys(supervisor):
    report = import_csl(zotero_bytes(), user=supervisor, file_name="library.json")

    assert (report.new, report.updated) == (3, 0)
    waltz = models.Source.objects.get(title="Theory of International Politics")
    assert waltz.key == "waltz-1979-theory-of-international"  # Zotero's opaque id is not a key
    assert (waltz.issued, waltz.issued_precision) == (datetime.date(1979, 1, 1), choices.DatePrecision.YEAR)
    assert waltz.status == choices.Status.DRAFT and waltz.created_by == supervisor
    zimmt = models.Source.objects.get(key="zimmt-2020-iran-iraq")  # the citation key wins
    assert zimmt.creators == [{"family": "Zimmt", "given": "Raz"}, {"literal": "Meir Amit Center"}]
    assert zimmt.issued_precision == choices.DatePrecision.MONTH and zimmt.is_coded_document
    irna = models.Source.objects.get(key="irna-2020-06-03")
    assert irna.outlet_affiliation == "Official news agency" and irna.accessed == datetime.date(2020, 7, 1)
    assert irna.history.first().history_change_reason == "Imported from library.json"


def test_round_trip_through_csl_json(supervisor):
    import_csl(zotero_bytes(), user=supervisor, file_name="library.json")
    exported = json.loads(export_csl(models.Source.objects.all()))

    by_id = {item["id"]: item for item in exported}
    assert by_id["irna-2020-06-03"] == ZOTERO[1]
    zimmt = {key: value for key, value in ZOTERO[2].items() if key != "citation-key"}
    assert by_id["zimmt-2020-iran-iraq"] == {**zimmt, "id": "zimmt-2020-iran-iraq"}
    assert by_id["waltz-1979-theory-of-international"]["issued"] == {"date-parts": [[1979]]}

    # Importing our own export again updates the same records and creates none.
    report = import_csl(json.dumps(exported).encode(), user=supervisor, file_name="again.json")
    assert (report.new, report.updated) == (0, 3)
    assert models.Source.objects.count() == 3


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{**ZOTERO[1], "type": "tweet"}], "type “tweet” is not one of"),
        ([{**ZOTERO[1], "issued": {"date-parts": [["soon"]]}}], 'issued must look like {"date-parts"'),
        ([ZOTERO[1], ZOTERO[1]], "item 3 (irna-2020-06-03): the same id as item 2"),
        ([{**ZOTERO[1], "title": ""}], "title"),
    ],
)
def test_a_bad_item_imports_nothing(supervisor, items, message):
    with pytest.raises(ImportRefused, match=re.escape(message)):
        import_csl(zotero_bytes([ZOTERO[0], *items]), user=supervisor, file_name="bad.json")
    assert not models.Source.objects.exists()


def test_not_json_is_refused_with_where(supervisor):
    with pytest.raises(ImportRefused, match=r"Not JSON: .* at line 1"):
        import_csl(b"[{", user=supervisor, file_name="broken.json")


def test_coders_cannot_import(coder):
    with pytest.raises(Exception, match="may not import"):
        import_csl(zotero_bytes(), user=coder, file_name="library.json")
    assert not models.Source.objects.exists()


def test_dry_run_writes_nothing(supervisor):
    report = import_csl(zotero_bytes(), user=supervisor, file_name="library.json", dry_run=True)
    assert report.new == 3
    assert not models.Source.objects.exists()


def test_commands(supervisor, tmp_path):
    library = tmp_path / "library.json"
    library.write_bytes(zotero_bytes())
    out = io.StringIO()
    call_command("import_csl", str(library), "--user", "supervisor", stdout=out)
    assert out.getvalue().strip() == "Imported sources: 3 new, 0 updated."

    # Drafts are not exported by default; --all-statuses exports them.
    exported = tmp_path / "out.json"
    call_command("export_csl", "-o", str(exported))
    assert json.loads(exported.read_text()) == []
    call_command("export_csl", "--all-statuses", "-o", str(exported))
    assert len(json.loads(exported.read_text())) == 3

    with pytest.raises(CommandError, match="No user is called nobody"):
        call_command("import_csl", str(library), "--user", "nobody")
