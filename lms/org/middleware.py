from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from lms.org.selectors import password_change_pending


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
    """Until a person replaces the password someone else gave them, they can only do that.

    Whoever knows that password (HR, whoever read the slip) could act as them, so every
    part of the site waits, the admin and the API included: pages redirect to the password
    form, the API answers 403 `password_change_required`. Left open is what the change
    itself needs (the sign-in, password and sign-out pages, the language switch, static
    files), health checks, and the video player's files. A person's API token is checked
    the same way where it is read (lms.api.authentication), since it is not seen here.
    """

    ALLOWED_PREFIXES = (
        "/accounts/",
        "/i18n/",
        "/jsi18n/",
        "/static/",
        "/media/",  # the video player fetches playlists and segments here
        "/healthz/",
        "/readyz/",
        "/admin/logout/",
    )
    API_PREFIX = "/api/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and password_change_pending(user)
        ):
            if request.path.startswith(self.API_PREFIX):
                # The API's error shape (lms.api.v1.errors), without importing the API.
                return JsonResponse(
                    {
                        "error": {
                            "code": "password_change_required",
                            "message": _(
                                "Choose your own password first: sign in on the web and "
                                "change the password you were given. Then sign in here again."
                            ),
                            "fields": {},
                        }
                    },
                    status=403,
                )
            return redirect("password_change")
        return self.get_response(request)
