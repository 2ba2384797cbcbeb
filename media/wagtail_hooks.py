"""Registers the Video admin screens, the video chooser and their delete actions."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import include, path
from django.utils.html import format_html
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from media.models import Video
from media.viewsets import (
    VideoDeleteAction,
    VideoDeleteBulkAction,
    VideoViewSet,
    admin_urls,
    video_chooser_viewset,
)

register_snippet(VideoViewSet)


@hooks.register("register_admin_viewset")
def register_video_chooser() -> Any:
    return video_chooser_viewset


@hooks.register("register_admin_urls")
def register_video_admin_urls() -> list[Any]:
    return [path("video-admin/", include((admin_urls(), "video_admin"), namespace="video_admin"))]


@hooks.register("register_actions")
def register_video_delete_action(registry: Any) -> None:
    registry.register(Video, VideoDeleteAction)


# After Wagtail's own snippet bulk actions (order 0), so this one wins for videos.
hooks.register("register_bulk_action", VideoDeleteBulkAction, order=100)


@hooks.register("insert_global_admin_css")
def video_admin_css() -> str:
    return format_html('<link rel="stylesheet" href="{}">', static("onramp_media/video-admin.css"))
