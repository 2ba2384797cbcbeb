from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
