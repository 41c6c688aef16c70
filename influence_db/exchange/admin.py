"""The admin's "Download CSV": the changelist as shown, filters and search included."""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from influence_db.exchange.datasets import MODEL_DATASETS
from influence_db.exchange.export import csv_download, stream_csv


class CsvExportMixin:
    """Adds <changelist>/export.csv, streamed, for anyone who may view the list."""

    def __init__(self, model: type, admin_site: object) -> None:
        super().__init__(model, admin_site)
        self.csv_dataset = MODEL_DATASETS.get(model)
        if self.csv_dataset is not None:
            self.change_list_template = "admin/exchange/change_list_export.html"

    def get_urls(self) -> list[URLPattern]:
        if self.csv_dataset is None:
            return super().get_urls()
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_export"
        return [path("export.csv", self.admin_site.admin_view(self.export_csv), name=name), *super().get_urls()]

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse | HttpResponseRedirect:
        if not self.has_view_permission(request):
            raise PermissionDenied
        # The changelist itself applies the filters and search of the query string; "bom"
        # is ours, not a filter, so it is taken out first.
        request.GET = request.GET.copy()
        bom = request.GET.pop("bom", None) is not None
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            # What the changelist does with a filter it cannot apply: show the plain list.
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist") + "?e=1"
            )
        dataset = self.csv_dataset
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return csv_download(
            stream_csv(dataset, all_statuses=True, queryset=queryset, bom=bom), filename=f"{dataset.name}-{stamp}.csv"
        )
