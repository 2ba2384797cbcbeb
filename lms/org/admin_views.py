"""Wagtail admin pages for importing rosters: list, upload, preview, confirm, progress.

Thin views: the work is done by `lms.org.roster` (upload and preview) and
`lms.org.tasks.roster_upload_confirm` (confirm, which enqueues the apply); these pages
only collect the upload and show what they report.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from lms.ops.pagination import admin_page
from lms.org.forms import RosterUploadForm
from lms.org.models import RosterImport, RosterImportQuerySet
from lms.org.roster import (
    COLUMN_ALIASES,
    RosterFileError,
    roster_upload_can_confirm,
    roster_upload_create,
)
from lms.org.tasks import roster_upload_confirm

IMPORT_PERMISSION = "org.import_roster"
# A queued import that no worker has picked up after this long gets a hint on the page.
WORKER_HINT_AFTER = dt.timedelta(seconds=30)

_BREADCRUMB_HOME = {"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")}
_BREADCRUMB_INDEX = {
    "url": reverse_lazy("roster_imports:index"),
    "label": gettext_lazy("Roster imports"),
}


def user_can_import_roster(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm(IMPORT_PERMISSION))


class ImportPermissionMixin:
    """Only people allowed to import rosters; Wagtail turns the denial into its usual redirect."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_can_import_roster(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _counts_summary(counts: dict[str, int]) -> str:
    if not counts:
        return ""
    parts = [
        ngettext("%(n)d new", "%(n)d new", counts.get("create", 0))
        % {"n": counts.get("create", 0)},
        ngettext("%(n)d changed", "%(n)d changed", counts.get("update", 0))
        % {"n": counts.get("update", 0)},
    ]
    if counts.get("unchanged"):
        parts.append(
            ngettext("%(n)d unchanged", "%(n)d unchanged", counts["unchanged"])
            % {"n": counts["unchanged"]}
        )
    if counts.get("reject"):
        parts.append(
            ngettext("%(n)d rejected", "%(n)d rejected", counts["reject"]) % {"n": counts["reject"]}
        )
    return " · ".join(parts)


def _uploader_name(item: RosterImport) -> str:
    user = item.uploaded_by
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


class RosterImportIndexView(ImportPermissionMixin, BaseListingView):
    model = RosterImport
    page_title = gettext_lazy("Roster imports")
    header_icon = "upload"
    index_url_name = "roster_imports:index"
    template_name = "org/roster_import/index.html"
    table_classname = "listing roster-imports"
    paginate_by = 20
    verbose_name = gettext_lazy("roster import")
    verbose_name_plural = gettext_lazy("roster imports")
    breadcrumbs_items = [_BREADCRUMB_HOME]

    @cached_property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            TitleColumn(
                "original_filename",
                label=_("File"),
                get_url=lambda item: reverse("roster_imports:detail", args=[item.pk]),
            ),
            StatusTagColumn(
                "get_status_display",
                label=_("Status"),
                primary=lambda item: item.status == RosterImport.Status.APPLIED,
            ),
            Column("rows", label=_("Rows"), accessor=lambda item: _counts_summary(item.counts)),
            Column("cohort_name", label=_("Cohort"), classname="roster-imports__optional"),
            Column(
                "uploaded_by",
                label=_("Uploaded by"),
                accessor=_uploader_name,
                classname="roster-imports__optional",
            ),
            DateColumn("created_at", label=_("Uploaded")),
        ]

    def get_base_queryset(self) -> RosterImportQuerySet:
        return RosterImport.objects.for_listing()

    def get_header_buttons(self) -> list[HeaderButton]:
        return [
            HeaderButton(
                _("Upload a roster"), url=reverse("roster_imports:upload"), icon_name="upload"
            )
        ]


class RosterUploadView(ImportPermissionMixin, WagtailAdminTemplateMixin, FormView):
    form_class = RosterUploadForm
    template_name = "org/roster_import/upload.html"
    page_title = gettext_lazy("Upload a roster")
    header_icon = "upload"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [_BREADCRUMB_HOME, _BREADCRUMB_INDEX, {"url": "", "label": self.page_title}]

    def get_initial(self) -> dict[str, Any]:
        # "Upload a corrected file" keeps the options of the import being corrected.
        initial = super().get_initial()
        previous = self.request.GET.get("from", "")
        if previous.isdigit():
            earlier = RosterImport.objects.filter(pk=previous).only("cohort_name", "create_missing")
            for item in earlier:
                initial.update(cohort_name=item.cohort_name, create_missing=item.create_missing)
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("roster_imports:upload"),
            submit_button_label=_("Upload and preview"),
            submit_button_active_label=_("Checking the file…"),
            template_url=reverse("roster_imports:template"),
        )
        return context

    def form_valid(self, form: RosterUploadForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        try:
            roster_import = roster_upload_create(
                file=upload,
                filename=upload.name,
                uploaded_by=self.request.user,  # type: ignore[arg-type]
                cohort_name=form.cleaned_data["cohort_name"].strip(),
                create_missing=form.cleaned_data["create_missing"],
            )
        except RosterFileError as exc:
            form.add_error("file", str(exc.message))
            return self.form_invalid(form)
        return redirect("roster_imports:detail", pk=roster_import.pk)

    def form_invalid(self, form: RosterUploadForm) -> HttpResponse:
        messages.validation_error(
            self.request, _("The roster could not be read. See the error below."), form
        )
        response = super().form_invalid(form)
        # The page shows the form again with the reason; the status says it was refused.
        response.status_code = 400
        return response


def _progress_message(item: RosterImport) -> str:
    total = item.counts.get("create", 0) + item.counts.get("update", 0)
    if item.started_at is None:
        return _("Waiting for the task worker to start the import…")
    return ngettext("Importing %(n)d person…", "Importing %(n)d people…", total) % {"n": total}


def _worker_hint(item: RosterImport) -> str:
    """A hint when a queued import has waited long: usually no worker is running."""
    if item.status != RosterImport.Status.APPLYING or item.started_at is not None:
        return ""
    if item.confirmed_at is None or timezone.now() - item.confirmed_at < WORKER_HINT_AFTER:
        return ""
    from lms.ops.selectors import check_worker

    try:
        check_worker()
    except RuntimeError:
        return _(
            "No task worker seems to be running. The import starts as soon as one runs "
            "(`make run` starts one; on a server, check the worker service)."
        )
    return ""


class RosterImportDetailView(ImportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """The preview before confirming, the progress while applying, the result after."""

    template_name = "org/roster_import/detail.html"
    header_icon = "upload"

    @cached_property
    def object(self) -> RosterImport:
        return get_object_or_404(
            RosterImport.objects.select_related("uploaded_by", "confirmed_by"),
            pk=self.kwargs["pk"],
        )

    def get_page_title(self) -> str:
        return _("Roster import")

    def get_page_subtitle(self) -> str:
        return self.object.original_filename

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [_BREADCRUMB_HOME, _BREADCRUMB_INDEX, {"url": "", "label": self.get_page_subtitle()}]

    def get_header_buttons(self) -> list[HeaderButton]:
        item = self.object
        if item.status == RosterImport.Status.INVALID:
            return [
                HeaderButton(
                    _("Upload a corrected file"),
                    url=f"{reverse('roster_imports:upload')}?from={item.pk}",
                    icon_name="upload",
                )
            ]
        return [
            HeaderButton(
                _("Upload another roster"),
                url=reverse("roster_imports:upload"),
                icon_name="upload",
            )
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = self.object
        report = item.report or {}
        counts = report.get("counts") or item.counts or {}
        new_people = [c for c in report.get("changes", []) if c.get("action") == "create"]
        changed_people = [c for c in report.get("changes", []) if c.get("action") == "update"]
        Status = RosterImport.Status
        context.update(
            object=item,
            Status=Status,
            counts=counts,
            report=report,
            problems=admin_page(
                self.request, report.get("problems", []), param="problems", anchor="problems"
            ),
            people=admin_page(
                self.request, new_people + changed_people, param="people", anchor="people"
            ),
            to_create=[
                (_entity_kind_label(kind), names)
                for kind, names in (report.get("to_create") or {}).items()
            ],
            can_confirm=roster_upload_can_confirm(item),
            confirm_url=reverse("roster_imports:confirm", args=[item.pk]),
            status_url=reverse("roster_imports:status", args=[item.pk]),
            upload_url=f"{reverse('roster_imports:upload')}?from={item.pk}",
            progress_message=_progress_message(item),
            worker_hint=_worker_hint(item),
            is_applying=item.status == Status.APPLYING,
            employees_url=reverse("wagtailsnippets_org_employee:list"),
        )
        return context


def _entity_kind_label(kind: str) -> str:
    labels = {
        "department": _("Departments"),
        "position": _("Positions"),
        "level": _("Levels"),
        "cohort": _("Cohorts"),
    }
    return labels.get(kind, kind)


class RosterImportConfirmView(ImportPermissionMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(RosterImport, pk=pk)
        if roster_upload_confirm(roster_import=item, confirmed_by=request.user):  # type: ignore[arg-type]
            messages.success(request, _("The import has started."))
        elif item.status == RosterImport.Status.INVALID:
            messages.error(
                request,
                _("This roster has problems; nothing will be imported until they are fixed."),
            )
        else:
            messages.warning(
                request,
                _("This roster is already being imported or was imported; nothing more was done."),
            )
        return HttpResponseRedirect(reverse("roster_imports:detail", args=[item.pk]))


class RosterImportStatusView(ImportPermissionMixin, View):
    """What the progress page polls: small, and cheap to ask every few seconds."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        item = get_object_or_404(
            RosterImport.objects.only(
                "status", "counts", "started_at", "confirmed_at", "finished_at"
            ),
            pk=pk,
        )
        return JsonResponse(
            {
                "status": item.status,
                "label": item.get_status_display(),
                "finished": item.status != RosterImport.Status.APPLYING,
                "message": _progress_message(item),
                "hint": _worker_hint(item),
            }
        )


class RosterTemplateView(ImportPermissionMixin, View):
    """An empty roster with the Chinese headers, saved with a BOM so Excel opens it right."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
        response.write("\ufeff")
        csv.writer(response).writerow(aliases[0] for aliases in COLUMN_ALIASES.values())
        return response
