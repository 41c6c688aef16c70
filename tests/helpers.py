"""Helpers the tests share: admin URLs, form round-trips, actions, stored rows, planner statistics."""

from __future__ import annotations

import django
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Model
from django.urls import reverse

# The Content-Security-Policy comes from Django's own middleware, new in Django 6.0.
needs_django_csp = pytest.mark.skipif(
    django.VERSION < (6, 0), reason="Django 5.2 (the Python 3.11 install) has no CSP middleware"
)


def make_coder(username: str):
    user = get_user_model().objects.create_user(username=username, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name="Coder"))
    return user


def admin_url(model_name: str, view: str = "changelist", *args: object) -> str:
    return reverse(f"admin:coding_{model_name}_{view}", args=args)


def change_url(obj: Model) -> str:
    return admin_url(obj._meta.model_name, "change", obj.pk)


def form_data(response) -> dict[str, object]:
    """The POST a browser sends for an admin add/change page as rendered: every field of
    the main form (the hidden loaded_version included), the inline management forms and
    every inline form, extra ones included, each with the value the page shows."""
    assert response.status_code == 200, response
    data: dict[str, object] = {}

    def add_form(form) -> None:
        for bound_field in form:
            value = bound_field.field.prepare_value(bound_field.value())
            if value is None or value is False:
                continue  # an empty value or an unchecked box is absent from a real POST
            if isinstance(value, list | tuple):
                data[bound_field.html_name] = [str(item) for item in value]
            else:
                data[bound_field.html_name] = str(value)

    add_form(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add_form(inline.formset.management_form)
        for form in inline.formset.forms:
            add_form(form)
    return data


def page_form_data(client, url: str) -> dict[str, object]:
    return form_data(client.get(url))


def messages_of(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in get_messages(response.wsgi_request)]


def run_action(client, model_name: str, action: str, records: list[Model], **extra: object):
    """Pick `records` on the changelist and run `action`, as the action bar does."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(r.pk) for r in records], "index": "0", **extra}
    return client.post(admin_url(model_name), data)


def return_with_comment(client, model_name: str, records: list[Model], comment: str):
    """Submit the intermediate page of the return action, as its template does."""
    data = {
        "action": "return_with_comment",
        ACTION_CHECKBOX_NAME: [str(r.pk) for r in records],
        "comment": comment,
        "apply": "Return with this comment",
    }
    return client.post(admin_url(model_name), data)


def offered_actions(client, model_name: str) -> set[str]:
    response = client.get(admin_url(model_name))
    assert response.status_code == 200
    action_form = response.context["action_form"]
    return {name for name, _ in action_form.fields["action"].choices if name} if action_form else set()


def row(obj: Model) -> dict[str, object]:
    """The record as stored, every column."""
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


def history_rows(obj: Model) -> list[tuple[str, str, str | None, str | None]]:
    """(type, status, user, reason) of each history row of `obj`, oldest first."""
    return [
        (h.history_type, h.status, h.history_user.username if h.history_user else None, h.history_change_reason)
        for h in type(obj).history.filter(id=obj.pk).order_by("history_id").select_related("history_user")
    ]


def analyze(*tables: str) -> None:
    """Fresh planner statistics for `tables`, as autovacuum would keep them: PostgreSQL's choices depend on them."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
