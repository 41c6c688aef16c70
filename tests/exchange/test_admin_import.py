"""The admin's import page: upload, preview, confirm; supervisors only."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from influence_db.coding import models
from influence_db.exchange.resources import RESOURCES

pytestmark = pytest.mark.django_db

URL = reverse("admin:exchange_import")
GOOD = b"key,name,kind,sector,country\nkataib-hezbollah,Kataib Hezbollah,organization,militia,IRQ\n"
BAD = b"key,name,kind\nx,Somebody,organisation\n"


def upload(client, data: bytes, dataset: str = "actors", name: str = "actors.csv"):
    return client.post(URL, {"dataset": dataset, "file": SimpleUploadedFile(name, data)})


def test_preview_then_confirm_imports(supervisor_client, supervisor):
    preview = upload(supervisor_client, GOOD)
    assert preview.status_code == 200
    assert "Would import actors: 1 new, 0 updated." in preview.content.decode()
    assert not models.Actor.objects.exists()  # the preview wrote nothing

    token = re.search(r'name="token" value="(\w+)"', preview.content.decode()).group(1)
    done = supervisor_client.post(URL, {"confirm": "1", "token": token, "dataset": "actors", "file_name": "actors.csv"})

    assert done.status_code == 302
    actor = models.Actor.objects.get(key="kataib-hezbollah")
    assert actor.created_by == supervisor
    assert actor.history.first().history_change_reason == "Imported from actors.csv"


def test_a_bad_file_shows_every_problem_and_no_confirm_button(supervisor_client):
    response = upload(supervisor_client, BAD)
    page = response.content.decode()
    assert "row 2, column kind, value “organisation”" in page
    assert 'name="confirm"' not in page
    assert not models.Actor.objects.exists()


def test_a_used_or_forged_token_imports_nothing(supervisor_client):
    forged = {"confirm": "1", "token": "deadbeef", "dataset": "actors", "file_name": "x.csv"}
    assert supervisor_client.post(URL, forged).status_code == 302
    assert supervisor_client.post(URL, {**forged, "token": "../../etc"}).status_code == 403
    assert not models.Actor.objects.exists()


def test_every_dataset_is_offered_with_what_it_holds(supervisor_client):
    form = supervisor_client.get(URL).context["form"]
    offered = dict(form.fields["dataset"].choices)
    assert set(offered) == set(RESOURCES)
    assert all(label.startswith(name.split("-")[0]) for name, label in offered.items())
    assert all(RESOURCES[name].holds for name in offered)  # each says what it holds
    assert next(iter(offered)) == form.fields["dataset"].initial == "coding-sheet"


@pytest.mark.parametrize("role", ["coder_client", "viewer_client"])
def test_only_supervisors_may_import(request, role):
    client = request.getfixturevalue(role)
    assert client.get(URL).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert not models.Actor.objects.exists()


def test_anonymous_users_are_sent_to_login(anonymous_client):
    response = anonymous_client.get(URL)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_the_home_page_links_the_import_page_for_supervisors_only(supervisor_client, coder_client):
    assert URL in supervisor_client.get(reverse("admin:index")).content.decode()
    assert URL not in coder_client.get(reverse("admin:index")).content.decode()
