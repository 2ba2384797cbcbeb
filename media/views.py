"""Protected delivery of playlists, segments, posters, scrub thumbnails and captions.

Answers, the same for every kind of file:
- 403 to anonymous requests, before looking anything up: a player whose session ran out
  learns to sign in again, and nobody learns which video ids exist;
- 404 to signed-in users who may not see the video, exactly as for a video or file that
  does not exist, so ids cannot be probed;
- the file (or a hand-over to the web server or S3, see `media.delivery`) otherwise.

A playlist sent to a signed-in person is also recorded, the first time only, as that
person's first delivery of the video (`media.services.video_delivery_record`): every
player fetches the master playlist before anything else, and playlists are answered here
whatever `VIDEO_DELIVERY` says, so the record holds in every delivery mode.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from media import delivery
from media.access import user_may_view_video
from media.models import Video
from media.services import video_delivery_record

_DELIVERY_FIELDS = ("master_playlist", "poster", "thumbnails_vtt", "status")


def _serve(
    request: HttpRequest,
    video_id: int,
    resolve: Callable[[Video], delivery.Deliverable | None],
) -> HttpResponseBase:
    if not request.user.is_authenticated:
        raise PermissionDenied
    video = Video.objects.only(*_DELIVERY_FIELDS).filter(pk=video_id).first()
    if video is None or not user_may_view_video(request.user, video):
        raise Http404
    item = resolve(video)
    response = delivery.respond(request, item) if item is not None else None
    if response is None:
        raise Http404
    if item is not None and item.is_playlist:
        video_delivery_record(user=request.user, video_id=video.pk)
    return response


@require_safe
def hls_file(request: HttpRequest, video_id: int, path: str) -> HttpResponseBase:
    return _serve(request, video_id, lambda video: delivery.hls_file(video, path))


@require_safe
def poster(request: HttpRequest, video_id: int) -> HttpResponseBase:
    return _serve(request, video_id, delivery.poster_file)


@require_safe
def thumbs_file(request: HttpRequest, video_id: int, path: str) -> HttpResponseBase:
    return _serve(request, video_id, lambda video: delivery.thumbs_file(video, path))


@require_safe
def caption(request: HttpRequest, video_id: int, path: str) -> HttpResponseBase:
    return _serve(request, video_id, lambda video: delivery.caption_file(video, path))
