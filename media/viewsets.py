"""The Video screens of the Wagtail admin and the chooser lessons use to embed a video.

Registered in `media/wagtail_hooks.py`; kept here so `media/blocks.py` can import the
chooser without running the hooks module.

- Videos (menu): the list with status badges, duration and renditions, searchable and
  filterable by status; "Add" is the chunked upload page; the edit page shows the live
  progress bar, the failure reason and ffmpeg's last lines, Retry, captions and Delete.
- `video_chooser_viewset`: the chooser modal (ready and in-progress videos, searchable by
  title) behind `media.blocks.VideoChooserBlock` and every ForeignKey to Video in an
  admin form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.actions.delete import DeleteAction
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.log_actions import log
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import EditView, IndexView, SnippetViewSet

from media import admin_views, selectors
from media.ffmpeg.validate import format_duration, format_size
from media.models import Video
from media.services import video_delete


class VideoStatusColumn(Column):
    """A coloured badge: green when ready, red when failed, the percent while processing."""

    cell_template_name = "media/admin/status_cell.html"

    def get_cell_context_data(self, instance: Video, parent_context: Any) -> dict[str, Any]:
        context = super().get_cell_context_data(instance, parent_context)
        running = instance.status == Video.Status.TRANSCODING
        context.update(
            status=instance.status,
            label=instance.get_status_display(),
            percent=f"{instance.progress:.0f}%" if running else "",
        )
        return context


def _duration(video: Video) -> str:
    return format_duration(video.duration) if video.duration else "–"


def _renditions(video: Video) -> str:
    # Prefetched by the list's queryset: no query per row.
    names = [r.name for r in sorted(video.renditions.all(), key=lambda r: -r.height)]
    return " · ".join(names) or "–"


class VideoIndexView(IndexView):
    def get_base_queryset(self) -> QuerySet[Video]:
        return super().get_base_queryset().prefetch_related("renditions")


class VideoEditView(EditView):
    """The edit page: title, plus state, progress, failure, captions and actions."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        video: Video = self.object
        user = self.request.user
        progress = selectors.video_progress(video)
        can_change = user.has_perm(admin_views.CHANGE)
        context.update(
            video=video,
            Status=Video.Status,
            progress=progress,
            status_url=reverse("video_admin:status", args=[video.pk]),
            retry_url=reverse("video_admin:retry", args=[video.pk]),
            can_retry=can_change and (video.status == Video.Status.FAILED or progress.stale),
            can_change=can_change,
            captions=list(video.captions.all()),
            caption_add_url=reverse("video_admin:caption_add", args=[video.pk]),
            renditions=list(video.renditions.order_by("-height")),
            duration=_duration(video),
            source_size=format_size(video.source_size) if video.source_size else "",
            master_url=selectors.video_master_url(video),
            poster_url=selectors.video_poster_url(video),
            ffmpeg_log_tail="\n".join(video.ffmpeg_log.strip().splitlines()[-30:]),
        )
        return context


class VideoDeleteAction(DeleteAction):
    """Deleting a video in the admin goes through the service: the running job stops and
    the files go too, not only the row."""

    def _delete(self) -> Any:
        if self.log_action:
            log(instance=self.instance, action=self.log_action, user=self.user, deleted=True)
        video_delete(video=self.instance)


class VideoDeleteBulkAction(DeleteBulkAction):
    models = [Video]

    @classmethod
    def execute_action(cls, objects: Any, user: Any = None, **kwargs: Any) -> tuple[int, int]:
        for video in objects:
            video_delete(video=video)
        return len(objects), 0


class VideoSnippetChooserViewSet(SnippetChooserViewSet):
    # One chooser widget for ForeignKeys to Video: the one of `video_chooser_viewset`.
    register_widget = False


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    url_prefix = "videos"
    menu_label = _("Videos")
    menu_name = "videos"
    menu_order = 250
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = VideoIndexView
    edit_view_class = VideoEditView
    edit_template_name = "media/admin/video_edit.html"
    chooser_viewset_class = VideoSnippetChooserViewSet
    list_filter = ["status"]
    search_fields = ["title", "original_filename"]
    search_backend_name = None
    list_per_page = 30
    ordering = ["-created_at", "-pk"]
    edit_handler = ObjectList([FieldPanel("title")])

    @cached_property
    def list_display(self) -> list[Any]:  # type: ignore[override]
        return [
            "title",
            VideoStatusColumn("status", label=_("Status"), sort_key="status"),
            Column("duration", label=_("Duration"), accessor=_duration, sort_key="duration"),
            Column("renditions", label=_("Renditions"), accessor=_renditions),
            DateColumn("created_at", label=_("Uploaded"), sort_key="created_at"),
        ]

    @property
    def add_view(self) -> Any:
        # "Add video" is the resumable upload page, not a model form.
        return admin_views.VideoUploadView.as_view()


# --- the chooser ----------------------------------------------------------------------------


class VideoFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
    )

    def filter(self, objects: QuerySet[Video]) -> QuerySet[Video]:
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = objects.filter(title__icontains=query)
        return objects


class _VideoChooseMixin:
    filter_form_class = VideoFilterForm

    def get_object_list(self) -> QuerySet[Video]:
        # A failed video cannot be played; lessons may embed one still being processed.
        return Video.objects.exclude(status=Video.Status.FAILED).prefetch_related("renditions")

    @property
    def columns(self) -> list[Column]:
        return [
            self.title_column,  # type: ignore[attr-defined]
            VideoStatusColumn("status", label=_("Status")),
            Column("duration", label=_("Duration"), accessor=_duration),
            DateColumn("created_at", label=_("Uploaded")),
        ]


class VideoChooseView(_VideoChooseMixin, ChooseView):
    pass


class VideoChooseResultsView(_VideoChooseMixin, ChooseResultsView):
    pass


class VideoChooserViewSet(ChooserViewSet):
    """Choose a recorded lesson video; see `media.blocks.VideoChooserBlock`."""

    model = Video
    icon = "media"
    choose_one_text = _("Choose a video")
    choose_another_text = _("Choose another video")
    edit_item_text = _("Edit video")
    choose_view_class = VideoChooseView
    choose_results_view_class = VideoChooseResultsView
    per_page = 20


video_chooser_viewset = VideoChooserViewSet("video_chooser", url_prefix="video-chooser")


def admin_urls() -> list[Any]:
    """The pages of `media.admin_views`, under admin/video-admin/."""
    return [
        path("<int:pk>/status/", admin_views.VideoStatusView.as_view(), name="status"),
        path("<int:pk>/retry/", admin_views.VideoRetryView.as_view(), name="retry"),
        path("<int:pk>/captions/add/", admin_views.CaptionAddView.as_view(), name="caption_add"),
        path(
            "<int:pk>/captions/<int:caption_pk>/delete/",
            admin_views.CaptionDeleteView.as_view(),
            name="caption_delete",
        ),
    ]
