"""Wagtail admin pages for sign-in credentials: service clients, and the log of issues.

Admins only (by permission, see roles.py). A service client's key is shown once, on the
response that made it, and never cached; the pages act through lms.org.services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from lms.org.forms import ServiceClientForm
from lms.org.models import CredentialIssue, ServiceClient
from lms.org.services import service_client_revoke, service_client_rotate

_BREADCRUMB_HOME = {"url": reverse_lazy("wagtailadmin_home"), "label": gettext_lazy("Home")}
_BREADCRUMB_CLIENTS = {
    "url": reverse_lazy("service_clients:index"),
    "label": gettext_lazy("Service clients"),
}


class _Needs:
    """Refuse unless the user has the named permission (Wagtail shows its usual denial)."""

    permission = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _key_page(request: HttpRequest, client: ServiceClient, key: str, title: str) -> HttpResponse:
    response = render(
        request,
        "org/service_clients/key.html",
        {
            "client": client,
            "key": key,
            "page_title": title,
            "header_icon": "key",
            "example_url": request.build_absolute_uri("/api/v1/hr/completions/"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class ServiceClientIndexView(_Needs, BaseListingView):
    permission = "org.view_serviceclient"
    model = ServiceClient
    page_title = gettext_lazy("Service clients")
    header_icon = "key"
    index_url_name = "service_clients:index"
    template_name = "org/service_clients/index.html"
    paginate_by = 50
    verbose_name = gettext_lazy("service client")
    verbose_name_plural = gettext_lazy("service clients")
    breadcrumbs_items = [_BREADCRUMB_HOME]

    @cached_property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            TitleColumn(
                "name",
                label=_("Name"),
                get_url=lambda client: reverse("service_clients:detail", args=[client.pk]),
            ),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor=lambda client: _("Revoked") if client.is_revoked else _("Active"),
                primary=lambda client: not client.is_revoked,
            ),
            Column("scopes", label=_("May"), accessor=lambda c: "; ".join(c.scope_labels())),
            Column("key_id", label=_("Key starts"), accessor=lambda c: f"onr_{c.key_id}_…"),
            DateColumn("last_used_at", label=_("Last used")),
            DateColumn("created_at", label=_("Created")),
        ]

    def get_base_queryset(self) -> QuerySet[ServiceClient]:
        return ServiceClient.objects.order_by("revoked_at", "name")

    def get_header_buttons(self) -> list[HeaderButton]:
        if not self.request.user.has_perm("org.add_serviceclient"):
            return []
        return [
            HeaderButton(
                _("Add a service client"), url=reverse("service_clients:add"), icon_name="plus"
            )
        ]


class ServiceClientCreateView(_Needs, WagtailAdminTemplateMixin, FormView):
    permission = "org.add_serviceclient"
    form_class = ServiceClientForm
    template_name = "org/service_clients/form.html"
    page_title = gettext_lazy("Add a service client")
    header_icon = "key"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [_BREADCRUMB_HOME, _BREADCRUMB_CLIENTS, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("service_clients:add"), submit_button_label=_("Create its key")
        )
        return context

    def form_valid(self, form: ServiceClientForm) -> HttpResponse:
        client, key = form.save(created_by=self.request.user)
        return _key_page(self.request, client, key, _("Key of “%(name)s”") % {"name": client})


class ServiceClientDetailView(_Needs, WagtailAdminTemplateMixin, View):
    """One client: what it may do, and the buttons that replace or revoke its key."""

    permission = "org.view_serviceclient"
    template_name = "org/service_clients/detail.html"
    header_icon = "key"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.client = get_object_or_404(ServiceClient, pk=pk)
        return render(request, self.template_name, self.get_context_data())

    def get_page_title(self) -> str:
        return str(self.client)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [_BREADCRUMB_HOME, _BREADCRUMB_CLIENTS, {"url": "", "label": str(self.client)}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            client=self.client,
            can_change=self.request.user.has_perm("org.change_serviceclient"),
            issues=self.client.credential_issues.select_related("issued_by")[:20],
        )
        return context


class ServiceClientRotateView(_Needs, View):
    permission = "org.change_serviceclient"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        client = get_object_or_404(ServiceClient, pk=pk)
        if client.is_revoked:
            messages.error(
                request, _("“%(name)s” is revoked; add a new client instead.") % {"name": client}
            )
            return redirect("service_clients:detail", pk=client.pk)
        key = service_client_rotate(client=client, rotated_by=request.user)
        return _key_page(request, client, key, _("New key of “%(name)s”") % {"name": client})


class ServiceClientRevokeView(_Needs, View):
    permission = "org.change_serviceclient"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        client = get_object_or_404(ServiceClient, pk=pk)
        service_client_revoke(client=client, revoked_by=request.user)
        messages.success(
            request, _("“%(name)s” is revoked: its key no longer works.") % {"name": client}
        )
        return redirect("service_clients:index")


def _exact_time(issue: CredentialIssue) -> str:
    # A log needs the moment itself, not "3 days ago".
    return f"{timezone.localtime(issue.created_at):%Y-%m-%d %H:%M:%S}"


class CredentialLogView(_Needs, BaseListingView):
    """Every sign-in credential issued, newest first: who, to whom, when."""

    permission = "org.view_credentialissue"
    model = CredentialIssue
    page_title = gettext_lazy("Credential log")
    header_icon = "history"
    index_url_name = "credential_log"
    template_name = "wagtailadmin/generic/listing.html"
    paginate_by = 50
    verbose_name = gettext_lazy("issued credential")
    verbose_name_plural = gettext_lazy("issued credentials")
    breadcrumbs_items = [_BREADCRUMB_HOME]

    @cached_property
    def columns(self) -> list[Column]:  # type: ignore[override]
        return [
            Column("created_at", label=_("Issued"), accessor=_exact_time),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            Column("issued_to_label", label=_("Issued to")),
            Column("issued_by_label", label=_("Issued by")),
        ]

    def get_base_queryset(self) -> QuerySet[CredentialIssue]:
        # The labels are copied onto each row: no join, whatever the page size.
        return CredentialIssue.objects.only(
            "created_at", "kind", "issued_to_label", "issued_by_label"
        ).order_by("-created_at", "-pk")
