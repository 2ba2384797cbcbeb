"""HR hands out one-time sign-in passwords: pick the people, print the slips.

The same form resets a forgotten password (untick "never signed in"). HR may do that
for learners; staff and admins get one from an admin only (the service decides, and
this page lists who was refused). Every password issued is in the credential log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.org.models import Cohort, Department, Employee
from lms.org.selectors import department_descendant_ids
from lms.org.services import employees_issue_initial_passwords

# Enough for a large intake; a bigger group is split by department.
MAX_PER_BATCH = 500


class IssuePasswordsForm(forms.Form):
    cohort = forms.ModelChoiceField(
        label=gettext_lazy("Cohort"), queryset=Cohort.objects.all(), required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department (with its sub-departments)"),
        queryset=Department.objects.all(),
        required=False,
    )
    employee_no = forms.CharField(
        label=gettext_lazy("Or one employee number"), required=False, max_length=32
    )
    only_never_signed_in = forms.BooleanField(
        label=gettext_lazy("Only people who have never signed in"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not (cleaned.get("cohort") or cleaned.get("department") or cleaned.get("employee_no")):
            raise forms.ValidationError(_("Choose a cohort, a department or an employee number."))
        return cleaned

    def people(self) -> list[Employee]:
        data = self.cleaned_data
        people = (
            Employee.objects.active().select_related("user", "department").order_by("employee_no")
        )
        if data.get("employee_no"):
            people = people.filter(employee_no=data["employee_no"].strip())
        if data.get("cohort"):
            people = people.filter(cohort=data["cohort"])
        if data.get("department"):
            people = people.filter(department_id__in=department_descendant_ids(data["department"]))
        if data.get("only_never_signed_in"):
            people = people.filter(user__last_login__isnull=True)
        return list(people[: MAX_PER_BATCH + 1])


class IssuePasswordsView(WagtailAdminTemplateMixin, FormView):
    form_class = IssuePasswordsForm
    template_name = "org/passwords/issue.html"
    page_title = gettext_lazy("Sign-in passwords")
    header_icon = "key"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm("org.change_employee"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: IssuePasswordsForm) -> HttpResponse:
        people = form.people()
        if not people:
            form.add_error(
                None, _("Nobody matches: check the choice, or untick “never signed in”.")
            )
            return self.form_invalid(form)
        if len(people) > MAX_PER_BATCH:
            form.add_error(
                None,
                _("More than %(max)d people match; narrow it down by department.")
                % {"max": MAX_PER_BATCH},
            )
            return self.form_invalid(form)
        result = employees_issue_initial_passwords(employees=people, issued_by=self.request.user)
        if not result.issued:
            form.add_error(
                None,
                _(
                    "Only an admin may give a password to staff or admins (trainers, HR, "
                    "managers): %(people)s."
                )
                % {"people": ", ".join(str(e) for e in result.refused)},
            )
            return self.form_invalid(form)
        # The codes are shown once, on this response only; never cached or stored.
        response = render(
            self.request,
            "org/passwords/slips.html",
            {
                "issued": result.issued,
                "refused": result.refused,
                "page_title": _("Sign-in slips"),
                "header_icon": "key",
            },
        )
        response["Cache-Control"] = "no-store"
        return response
