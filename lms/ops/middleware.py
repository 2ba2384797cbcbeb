"""Response headers: compression, static file caching, the Content-Security-Policy."""

from __future__ import annotations

import re

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.urls import reverse
from whitenoise.middleware import WhiteNoiseMiddleware

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


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, caching Vite's own hashed chunks for a year too.

    Templates name static files through Django's manifest, whose hashed names WhiteNoise
    marks immutable. The lesson player's dynamic `import()` of hls.js asks for the name
    Vite gave the chunk (`assets/hls.light-<hash>.js`), which Django's manifest does not
    rewrite; that name carries its content hash all the same, so it is cached as long.
    """

    _VITE_HASHED = re.compile(r"^assets/[^/]+-[A-Za-z0-9_-]{8}\.[A-Za-z0-9]+$")

    def immutable_file_test(self, path: str, url: str) -> bool:
        if super().immutable_file_test(path, url):
            return True
        name = url[len(self.static_prefix) :] if url.startswith(self.static_prefix) else ""
        return bool(self._VITE_HASHED.match(name))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header (settings.CONTENT_SECURITY_POLICY), adjusted per response.

    - The Wagtail admin's own templates carry inline scripts and styles (panel and date
      picker set-up), so under the admin's URL prefix script-src and style-src allow
      'unsafe-inline'; every other directive stays as strict as on the learner pages.
    - A view that lets itself be framed by the same origin (Wagtail's preview, shown in
      the page editor's iframe) gets `frame-ancestors 'self'` to match its
      X-Frame-Options; everything else is `frame-ancestors 'none'`.
    - Wagtail renders a preview by running a dummy request through the middleware
      inside the admin's request; only the admin's real response gets a policy, since
      the first header written would stand.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "is_dummy", False):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        replace = dict(parts.replace or {})
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            replace.setdefault("script-src", [SELF, UNSAFE_INLINE])
            replace.setdefault("style-src", [SELF, UNSAFE_INLINE])
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            replace["frame-ancestors"] = [SELF]
        parts.replace = replace
        return parts
