"""The API's interactive documentation (Swagger UI, from drf-spectacular's sidecar)."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase, HttpResponseForbidden
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated, PermissionDenied


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file, so no inline script runs.

    Someone not signed in is sent to the sign-in page and back, as for any page; someone
    signed in but not staff reads why not, in their language.
    """

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        if isinstance(exc, NotAuthenticated | PermissionDenied):
            if not self.request.user.is_authenticated:
                return redirect_to_login(self.request.get_full_path())
            return HttpResponseForbidden(str(exc.detail), content_type="text/plain; charset=utf-8")
        return super().handle_exception(exc)
