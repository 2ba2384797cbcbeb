from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from lms.org.selectors import employee_for_user
from lms.org.services import employee_password_changed, employee_set_language
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


class PasswordChangeView(auth_views.PasswordChangeView):
    """Choose a new password; the first sign-in with HR's initial password lands here."""

    template_name = "learner/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        employee = employee_for_user(self.request.user)
        if employee is not None:
            employee_password_changed(employee=employee)
        messages.success(self.request, _("Your password has been changed."))
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        employee = employee_for_user(self.request.user)
        context["forced"] = bool(employee and employee.must_change_password)
        return context
