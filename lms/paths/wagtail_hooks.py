from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from lms.paths.admin_views import PathCopyView
from lms.paths.forms import ManualEnrolmentForm
from lms.paths.models import Enrolment, LearningPath
from lms.paths.tasks import path_sync_later


class LearningPathViewSet(SnippetViewSet):
    model = LearningPath
    icon = "list-ol"
    list_display = [
        "name",
        "is_active",
        Column("stage_count", label=_("Stages")),
        Column("member_count", label=_("People"), sort_key="member_count"),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    search_backend_name = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return LearningPath.objects.annotate(
            stage_count=Count("stages", distinct=True),
            member_count=Count(
                "enrolments",
                filter=~Q(enrolments__status=Enrolment.Status.REMOVED),
                distinct=True,
            ),
        )


class EnrolmentFilterSet(WagtailFilterSet):
    class Meta:
        model = Enrolment
        fields = ["path", "status", "source", "employee__department", "employee__cohort"]


class EnrolmentViewSet(SnippetViewSet):
    model = Enrolment
    icon = "user"
    list_display = ["employee", "path", "status", "source", "assigned_at"]
    filterset_class = EnrolmentFilterSet
    search_fields = ["employee__name", "employee__employee_no"]
    search_backend_name = None
    edit_handler = ObjectList(
        [FieldPanel("employee"), FieldPanel("path")], base_form_class=ManualEnrolmentForm
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return Enrolment.objects.select_related("employee", "path")


class PathsGroup(SnippetViewSetGroup):
    menu_label = _("Learning paths")
    menu_icon = "list-ol"
    menu_order = 210
    items = (LearningPathViewSet, EnrolmentViewSet)


register_snippet(PathsGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def resync_people_after_path_change(request: HttpRequest, instance: Any) -> None:
    if isinstance(instance, LearningPath):
        path_sync_later(instance.pk)


@hooks.register("register_snippet_listing_buttons")
def path_copy_button(instance: Any, user: Any, next_url: str | None = None) -> list[Any]:
    if isinstance(instance, LearningPath) and user.has_perm("paths.add_learningpath"):
        return [
            ListingButton(
                _("Copy"),
                url=reverse("path_copy", args=[instance.pk]),
                icon_name="copy",
                priority=30,
            )
        ]
    return []


@hooks.register("register_admin_urls")
def path_copy_urls() -> list[Any]:
    return [path("learning-paths/<int:pk>/copy/", PathCopyView.as_view(), name="path_copy")]
