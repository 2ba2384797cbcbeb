"""Response compression for pages and API answers, never for video or files."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware

# Playlists (application/vnd.apple.mpegurl) are text and shrink well; segments,
# posters, downloads and exports are binary or already compressed.
_COMPRESSIBLE = ("text/", "application/json", "application/vnd.apple.mpegurl", "image/svg+xml")


class TextCompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH padding), limited to text responses.

    Phones on mobile data get the path map's HTML and JSON at a third of their size;
    streamed video segments and spreadsheets pass through untouched. Static files do
    not reach this middleware: WhiteNoise, above it, answers them with its own
    precompressed copies.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "")
        if response.streaming or not content_type.startswith(_COMPRESSIBLE):
            return response
        return super().process_response(request, response)
