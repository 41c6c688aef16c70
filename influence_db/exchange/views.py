"""The admin's CSV import: upload, see what would happen, then confirm (supervisors)."""

from __future__ import annotations

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from influence_db.exchange.importing import IMPORT_PERMISSION, run_import
from influence_db.exchange.reading import ImportRefused
from influence_db.exchange.resources import RESOURCES

# Uploaded files wait here between the preview and the confirmation.
PENDING_DIR = Path(settings.IMPORT_PENDING_DIR)


class UploadForm(forms.Form):
    # The coders' everyday file first, then the rest as the resources list them.
    dataset = forms.ChoiceField(
        choices=[
            (name, f"{name}: {resource.holds}")
            for name, resource in sorted(RESOURCES.items(), key=lambda item: item[0] != "coding-sheet")
        ],
        initial="coding-sheet",
    )
    file = forms.FileField(help_text="UTF-8 CSV with a header row; each dataset's columns are in docs/csv-formats.md.")


def _pending(token: str) -> Path:
    if not token.isalnum():
        raise PermissionDenied("Bad import token.")
    return PENDING_DIR / token


def import_view(request: HttpRequest, site: AdminSite) -> HttpResponse:
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    context = {**site.each_context(request), "title": "Import a CSV file"}
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        dataset = form.cleaned_data["dataset"]
        try:
            report = run_import(dataset, data, user=request.user, file_name=upload.name, dry_run=True)
        except ImportRefused as exc:
            context.update(form=form, problems=exc.problems, file_name=upload.name)
            return TemplateResponse(request, "admin/exchange/import.html", context)
        token = secrets.token_hex(16)
        PENDING_DIR.mkdir(parents=True, exist_ok=True)
        _pending(token).write_bytes(data)
        context.update(form=form, report=report, token=token, dataset=dataset, file_name=upload.name)
        return TemplateResponse(request, "admin/exchange/import.html", context)
    context["form"] = form
    return TemplateResponse(request, "admin/exchange/import.html", context)


def _confirm(request: HttpRequest) -> HttpResponse:
    path = _pending(request.POST.get("token", ""))
    dataset, file_name = request.POST.get("dataset", ""), request.POST.get("file_name", "upload.csv")
    if dataset not in RESOURCES or not path.exists():
        messages.error(request, "That upload has expired: upload the file again.")
        return HttpResponseRedirect(reverse("admin:exchange_import"))
    try:
        report = run_import(dataset, path.read_bytes(), user=request.user, file_name=file_name)
    except ImportRefused as exc:
        # The data changed since the preview: say what is wrong now.
        messages.error(request, f"Nothing was imported: {exc}")
        return HttpResponseRedirect(reverse("admin:exchange_import"))
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, str(report))
    return HttpResponseRedirect(reverse("admin:index"))
