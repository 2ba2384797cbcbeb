"""Protected delivery of playlists, segments, posters, thumbnails and captions.

Placeholder: every route answers 404 until the protected delivery views are built (they
check access through the setting-named function, serve ranges and set caching headers).
The route names exist now so the pipeline and the ingest command can reverse them.
"""

from django.http import Http404, HttpRequest, HttpResponse


def not_yet_served(request: HttpRequest, video_id: int, path: str = "") -> HttpResponse:
    raise Http404
