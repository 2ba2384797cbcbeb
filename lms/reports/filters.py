"""The filter bar of the reports: validated by django-filter, turned into ReportFilters."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from lms.org.models import Cohort, Department, Employee, Level, Position
from lms.paths.models import LearningPath
from lms.reports.selectors import PERSON_STATES, ReportFilters

STATE_CHOICES = [
    ("overdue", _("Overdue")),
    ("due_soon", _("Due soon")),
    ("on_track", _("On track")),
    ("completed", _("Completed")),
]
assert [key for key, _label in STATE_CHOICES] == list(PERSON_STATES)


class ReportFilterSet(WagtailFilterSet):
    """Only its form is used: the selectors apply the filters (in the database)."""

    cohort = django_filters.ModelChoiceFilter(
        label=_("Cohort"), queryset=Cohort.objects.all(), method="_noop"
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department (with sub-departments)"),
        queryset=Department.objects.all(),
        method="_noop",
    )
    position = django_filters.ModelChoiceFilter(
        label=_("Position"), queryset=Position.objects.select_related("department"), method="_noop"
    )
    level = django_filters.ModelChoiceFilter(
        label=_("Level"), queryset=Level.objects.all(), method="_noop"
    )
    path = django_filters.ModelChoiceFilter(
        label=_("Learning path"), queryset=LearningPath.objects.all(), method="_noop"
    )
    start_from = django_filters.DateFilter(
        label=_("Started on or after"),
        method="_noop",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    start_to = django_filters.DateFilter(
        label=_("Started on or before"),
        method="_noop",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    include_left = django_filters.BooleanFilter(
        label=_("Include people who left"),
        method="_noop",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Employee
        fields: list[str] = []

    def _noop(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset

    def report_filters(self) -> ReportFilters:
        """The valid part of the request's filters (an invalid value is simply not applied)."""
        form = self.form
        form.is_valid()
        data = getattr(form, "cleaned_data", {})

        def pk(name: str) -> int | None:
            value = data.get(name)
            return value.pk if value is not None else None

        start_from, start_to = data.get("start_from"), data.get("start_to")
        if start_from and start_to and start_from > start_to:
            start_from, start_to = start_to, start_from
        return ReportFilters(
            cohort_id=pk("cohort"),
            department_id=pk("department"),
            position_id=pk("position"),
            level_id=pk("level"),
            path_id=pk("path"),
            start_from=start_from,
            start_to=start_to,
            include_left=bool(data.get("include_left")),
        )


def filters_querystring(filters: ReportFilters) -> dict[str, str]:
    """The filter bar's own parameter names for a ReportFilters (for links between pages)."""
    names = {
        "cohort_id": "cohort",
        "department_id": "department",
        "position_id": "position",
        "level_id": "level",
        "path_id": "path",
    }
    params = {}
    for key, value in filters.to_params().items():
        params[names.get(key, key)] = "true" if key == "include_left" else value
    return params
