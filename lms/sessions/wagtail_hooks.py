"""In-person sessions in the admin: the session snippets, and the trainer's pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from lms.sessions import admin_views
from lms.sessions.forms import InPersonSessionForm
from lms.sessions.models import InPersonSession
from lms.sessions.selectors import (
    sessions_taught_by,
    sessions_user_may_delete,
    sessions_user_may_edit,
    sessions_with_seats,
    user_deletes_all_sessions,
    user_manages_all_sessions,
    user_may_delete_session,
    user_may_edit_session,
    user_reads_all_briefs,
)
from lms.sessions.services import session_saved
from lms.surveys.forms import SurveyAdminForm
from lms.surveys.models import Survey
from lms.surveys.services import survey_add_default_questions


class InPersonSessionPermissionPolicy(ModelPermissionPolicy):
    """Edit and delete per session: HR and admins any, a trainer those they teach.

    Wagtail's generic views ask the model-level question ("may this user edit some
    session?") when they start; the views below ask it per session.
    """

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in ("change", "delete"):
            return super().user_has_permission(user, action) or super().user_has_permission(
                user, "add"
            )
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if action == "change":
            return user_may_edit_session(session=instance, user=user)
        if action == "delete":
            return user_may_delete_session(session=instance, user=user)
        return super().user_has_permission(user, action)

    def user_has_any_permission_for_instance(
        self, user: Any, actions: Iterable[str], instance: Any
    ) -> bool:
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user: Any, actions: Iterable[str]) -> Any:
        actions = set(actions)
        if actions - {"change", "delete"} and super().user_has_any_permission(
            user, actions - {"change", "delete"}
        ):
            return InPersonSession.objects.all()
        if "change" in actions and "delete" in actions:
            return sessions_user_may_edit(user) | sessions_user_may_delete(user)
        if "change" in actions:
            return sessions_user_may_edit(user)
        if "delete" in actions:
            return sessions_user_may_delete(user)
        return InPersonSession.objects.none()


# Before the snippet is registered, which would give the model Wagtail's default policy.
register_permission_policy(
    InPersonSession, InPersonSessionPermissionPolicy(InPersonSession), exact_class=True
)


class _PerSession:
    def get_object(self, queryset: QuerySet | None = None) -> Model:
        session = super().get_object(queryset)  # type: ignore[misc]
        if not self.user_has_permission_for_instance(self.permission_required, session):  # type: ignore[attr-defined]
            raise PermissionDenied
        return session


class InPersonSessionEditView(_PerSession, EditView):
    pass


class InPersonSessionDeleteView(_PerSession, DeleteView):
    pass


class InPersonSessionIndexView(IndexView):
    """Edit and delete links only where allowed, Brief and Roster only where readable."""

    # HR and admins may edit every row; a trainer the few they teach: one query a page.
    @cached_property
    def _editable(self) -> set[int] | None:
        if user_manages_all_sessions(self.request.user):
            return None
        return set(sessions_user_may_edit(self.request.user).values_list("pk", flat=True))

    @cached_property
    def _deletable(self) -> set[int] | None:
        if user_deletes_all_sessions(self.request.user):
            return None
        return set(sessions_user_may_delete(self.request.user).values_list("pk", flat=True))

    def get_edit_url(self, instance: Any) -> str | None:
        if self._editable is not None and instance.pk not in self._editable:
            return None
        return super().get_edit_url(instance)

    def get_delete_url(self, instance: Any) -> str | None:
        if self._deletable is not None and instance.pk not in self._deletable:
            return None
        return super().get_delete_url(instance)

    @cached_property
    def _briefs(self) -> set[int] | None:
        if user_reads_all_briefs(self.request.user):
            return None
        return set(sessions_taught_by(self.request.user).values_list("pk", flat=True))

    def get_list_more_buttons(self, instance: Any) -> list[Any]:
        buttons = super().get_list_more_buttons(instance)
        if self._briefs is not None and instance.pk not in self._briefs:
            return buttons
        return [
            *buttons,
            ListingButton(
                _("Brief"),
                url=reverse("session_brief", args=[instance.pk]),
                icon_name="doc-full",
                priority=5,
            ),
            ListingButton(
                _("Roster"),
                url=reverse("session_roster", args=[instance.pk]),
                icon_name="group",
                priority=6,
            ),
        ]


class InPersonSessionViewSet(SnippetViewSet):
    model = InPersonSession
    index_view_class = InPersonSessionIndexView
    edit_view_class = InPersonSessionEditView
    delete_view_class = InPersonSessionDeleteView
    edit_handler = ObjectList(InPersonSession.panels, base_form_class=InPersonSessionForm)
    icon = "date"
    menu_label = _("In-person sessions")
    list_display = [
        "title",
        Column("first_start", label=_("Starts"), sort_key="first_start"),
        Column("seats", label=_("Seats taken"), accessor="seats_label"),
        "status",
    ]
    list_filter = ["status", "course"]
    search_fields = ["title", "room", "description"]
    search_backend_name = None
    ordering = ["-first_start"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return sessions_with_seats()


class SurveyViewSet(SnippetViewSet):
    model = Survey
    edit_handler = ObjectList(Survey.panels, base_form_class=SurveyAdminForm)
    icon = "form"
    menu_label = _("Pre-training surveys")
    list_display = ["title", "course", "is_anonymous", "updated_at"]
    search_fields = ["title"]
    search_backend_name = None


class SessionsGroup(SnippetViewSetGroup):
    menu_label = _("In-person sessions")
    menu_icon = "date"
    menu_order = 220
    items = (InPersonSessionViewSet, SurveyViewSet)


register_snippet(SessionsGroup)


@hooks.register("after_create_snippet")
def survey_defaults_after_create(request: HttpRequest, instance: Any) -> None:
    if isinstance(instance, Survey):
        survey_add_default_questions(survey=instance)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def session_invites_after_save(request: HttpRequest, instance: Any) -> None:
    if isinstance(instance, InPersonSession):
        session_saved(session=instance)


@hooks.register("register_admin_urls")
def session_admin_urls() -> list[Any]:
    return [
        path("sessions/<int:pk>/brief/", admin_views.brief_view, name="session_brief"),
        path("sessions/<int:pk>/brief.csv", admin_views.brief_csv, name="session_brief_csv"),
        path(
            "sessions/<int:pk>/brief/remind/", admin_views.brief_remind, name="session_brief_remind"
        ),
        path("sessions/<int:pk>/roster/", admin_views.roster_view, name="session_roster"),
        path("sessions/<int:pk>/roster/mark/", admin_views.roster_mark, name="session_roster_mark"),
        path(
            "sessions/<int:pk>/check-in-code/",
            admin_views.check_in_code_view,
            name="session_check_in_code",
        ),
    ]
