from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation


class PreferredLanguageMiddleware:
    """Use a signed-in employee's saved language unless the request chose one itself.

    LocaleMiddleware has already looked at the URL, the language cookie and
    Accept-Language; a saved preference beats the browser's guess but not an
    explicit cookie set by the language switcher.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            employee = getattr(user, "employee", None)
            language = getattr(employee, "preferred_language", "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Until a person replaces the initial password HR gave them, they can only do that.

    Applies to the learner pages; the admin, the API (tokens) and health checks are
    left alone so staff and machines are not trapped by it.
    """

    ALLOWED_PREFIXES = (
        "/accounts/",
        "/i18n/",
        "/jsi18n/",
        "/static/",
        "/media/",  # the video player fetches playlists and segments here
        "/healthz/",
        "/readyz/",
        "/admin/",
        "/api/",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and getattr(getattr(user, "employee", None), "must_change_password", False)
        ):
            return redirect("password_change")
        return self.get_response(request)
