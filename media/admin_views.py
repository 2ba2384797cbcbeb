"""Wagtail admin pages of the video pipeline beyond the generic snippet views: the chunked
upload page, the JSON the live progress bar polls, retry, and captions.

Thin views: uploads go through /api/v1/videos/ (media/api.py) from the browser; state
changes through `media.pipeline.captions` and `media.tasks`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from media import selectors
from media.ffmpeg.validate import format_duration, format_size
from media.forms import CaptionForm
from media.models import Caption, Video
from media.pipeline.captions import caption_add, caption_delete
from media.tasks import video_retry_and_process

ADD = "onramp_media.add_video"
CHANGE = "onramp_media.change_video"
VIEW = "onramp_media.view_video"

# The namespace Wagtail gives the Video snippet viewset (url_prefix "videos").
URL_NAMESPACE = "wagtailsnippets_onramp_media_video"


def video_url(name: str, *args: Any) -> str:
    return reverse(f"{URL_NAMESPACE}:{name}", args=args)


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _breadcrumbs(*items: tuple[str, str]) -> list[dict[str, Any]]:
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": video_url("list"), "label": _("Videos")},
        *({"url": url, "label": label} for url, label in items),
    ]


class VideoUploadView(WagtailAdminTemplateMixin, TemplateView):
    """The upload page: the file goes up in resumable chunks (frontend/src/admin/)."""

    template_name = "media/admin/upload.html"
    page_title = gettext_lazy("Upload a video")
    header_icon = "media"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require(request, ADD)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return _breadcrumbs(("", str(self.page_title)))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        limit = settings.VIDEO_MAX_UPLOAD_BYTES
        context.update(
            create_url=reverse("media_api:upload-list"),
            edit_url_template=video_url("edit", 0).replace("/0/", "/{id}/"),
            chunk_size=settings.VIDEO_UPLOAD_CHUNK_BYTES,
            max_bytes=limit,
            max_size=format_size(limit),
            max_duration=format_duration(settings.VIDEO_MAX_DURATION),
            messages_json={
                "choose_file": _("Choose a video file."),
                "too_big": _("This file is %(size)s; the limit is %(limit)s."),
                "sending": _("Uploading: %(sent)s of %(total)s"),
                "resuming": _("Carrying on from %(sent)s…"),
                "retrying": _("The connection dropped. Trying again in %(seconds)s s…"),
                "offline": _("You are offline. The upload carries on when the connection is back."),
                "finishing": _("Finishing…"),
                "done": _("Uploaded. Opening the video…"),
                "cancelled": _("Upload cancelled."),
                "failed": _("The upload failed: %(reason)s"),
            },
        )
        return context


class VideoStatusView(View):
    """What the live progress bar polls every couple of seconds: small and cheap."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        _require(request, VIEW)
        video = get_object_or_404(
            Video.objects.only(
                "status",
                "progress",
                "progress_eta",
                "progress_updated_at",
                "updated_at",
                "failure_code",
                "failure_params",
            ),
            pk=pk,
        )
        progress = selectors.video_progress(video)
        response = JsonResponse(
            {
                "status": progress.status,
                "label": progress.label,
                "percent": progress.percent,
                "eta_seconds": progress.eta_seconds,
                "eta_text": progress.eta_text,
                "finished": progress.finished,
                "stale": progress.stale,
                "failure_reason": progress.failure_reason,
            }
        )
        response["Cache-Control"] = "no-store"
        return response


class VideoRetryView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        _require(request, CHANGE)
        video = get_object_or_404(Video, pk=pk)
        before = video.attempt
        video = video_retry_and_process(video=video)
        if video.attempt != before:
            messages.success(request, _("Processing starts again."))
        elif video.status == Video.Status.READY:
            messages.warning(request, _("This video is ready; there is nothing to retry."))
        else:
            messages.warning(
                request, _("This video is still being processed; it was left to finish.")
            )
        return HttpResponseRedirect(video_url("edit", video.pk))


class CaptionAddView(WagtailAdminTemplateMixin, FormView):
    form_class = CaptionForm
    template_name = "media/admin/caption_add.html"
    page_title = gettext_lazy("Add captions")
    header_icon = "media"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require(request, CHANGE)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def video(self) -> Video:
        return get_object_or_404(Video, pk=self.kwargs["pk"])

    def get_page_subtitle(self) -> str:
        return self.video.title

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return _breadcrumbs(
            (video_url("edit", self.video.pk), self.video.title), ("", str(self.page_title))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            video=self.video,
            action_url=reverse("video_admin:caption_add", args=[self.video.pk]),
            submit_button_label=_("Upload captions"),
            submit_button_active_label=_("Uploading…"),
            form_is_multipart=True,
        )
        return context

    def form_valid(self, form: CaptionForm) -> HttpResponse:
        try:
            caption = caption_add(
                video=self.video,
                language=form.cleaned_data["language"],
                file=form.cleaned_data["file"],
                label=form.cleaned_data["label"],
                is_default=form.cleaned_data["is_default"],
            )
        except ValidationError as exc:
            field = "language" if exc.code == "language" else "file"
            form.add_error(field, exc.messages)
            return self.form_invalid(form)
        messages.success(self.request, _("Captions “%(label)s” added.") % {"label": caption.label})
        return HttpResponseRedirect(video_url("edit", self.video.pk))

    def form_invalid(self, form: CaptionForm) -> HttpResponse:
        messages.validation_error(
            self.request, _("The captions could not be added. See the error below."), form
        )
        return super().form_invalid(form)


class CaptionDeleteView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, caption_pk: int) -> HttpResponse:
        _require(request, CHANGE)
        caption = get_object_or_404(Caption, pk=caption_pk, video_id=pk)
        label = caption.label
        caption_delete(caption=caption)
        messages.success(request, _("Captions “%(label)s” removed.") % {"label": label})
        return HttpResponseRedirect(video_url("edit", pk))
