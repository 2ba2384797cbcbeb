"""In-person sessions in the admin: the session snippets, and the trainer's pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.sessions import admin_views
from lms.sessions.models import InPersonSession
from lms.sessions.selectors import sessions_with_seats, user_may_read_brief
from lms.sessions.services import session_saved
from lms.surveys.models import Survey
from lms.surveys.services import survey_add_default_questions


class InPersonSessionViewSet(SnippetViewSet):
    model = InPersonSession
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


@hooks.register("register_snippet_listing_buttons")
def session_buttons(instance: Any, user: Any, next_url: str | None = None) -> list[Any]:
    if not isinstance(instance, InPersonSession) or not user_may_read_brief(
        session=instance, user=user
    ):
        return []
    return [
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
