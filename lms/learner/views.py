import hashlib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from lms.org.selectors import employee_for_user
from lms.org.services import employee_set_language, password_set
from lms.paths.selectors import path_maps_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The learner's home: their path map, with the next thing to do first."""
    employee = employee_for_user(request.user)
    maps = path_maps_for(employee=employee) if employee is not None else []
    candidates = [m.next_item for m in maps if m.next_item is not None]
    # One "up next" card: the most urgent of each path's next item.
    next_up = min(
        candidates,
        key=lambda entry: entry.days_left if entry.days_left is not None else 10**6,
        default=None,
    )
    return render(
        request, "learner/home.html", {"employee": employee, "path_maps": maps, "next_up": next_up}
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and remember the choice on the employee's profile."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    employee = employee_for_user(request.user)
    if employee is not None and check_for_language(language):
        employee_set_language(employee=employee, language=language)
    return response


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Choose a new password; the first sign-in with HR's initial password lands here."""

    template_name = "learner/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        # Not form.save(): the service also ends the person's API tokens and other sessions.
        user = form.user
        password_set(user=user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        employee = employee_for_user(self.request.user)
        context["forced"] = bool(employee and employee.must_change_password)
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out, and have the browser drop what it cached for the person.

    `Clear-Site-Data: "cache"` empties the browser's HTTP cache of the site, so the next
    person on a shared phone finds none of the last one's pages there; the service worker
    drops its own copies when the sign-in page that follows says nobody is signed in. Not "storage": that would also wipe the IndexedDB outbox, losing the
    person's progress that has not reached the server yet.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache"'
        return response


def _vite_entry_files(entry: str = "src/main.ts") -> list[str]:
    """The built files an entry needs on first paint: its JS, its static imports, CSS."""
    manifest_path = Path(settings.DJANGO_VITE["default"]["manifest_path"])
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return []
    files: list[str] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in seen or key not in manifest:
            return
        seen.add(key)
        chunk = manifest[key]
        files.extend([chunk.get("file", ""), *chunk.get("css", [])])
        for imported in chunk.get("imports", []):
            visit(imported)

    visit(entry)
    return [f"{settings.STATIC_URL}{name}" for name in dict.fromkeys(files) if name]


@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the site root so it may control every learner page."""
    shell = [*_vite_entry_files(), static("learner/icon.svg")]
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    body = render_to_string("learner/sw.js", {"shell": json.dumps(shell), "version": version})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def web_manifest(request: HttpRequest) -> HttpResponse:
    body = render_to_string(
        "learner/manifest.webmanifest",
        {
            "icon": static("learner/icon.svg"),
            "description": _("Onboarding and learning for new hires"),
        },
        request=request,
    )
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")
