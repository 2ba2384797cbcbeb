"""Admin forms of the organisation app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.org.models import Employee, ServiceClient, ServiceScope
from lms.org.roster import EMPLOYEE_NO_RE, normalise_phone
from lms.org.services import (
    employee_create,
    employee_deactivate,
    employee_update,
    service_client_create,
)

ROSTER_EXTENSIONS = ("csv", "xlsx", "txt")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV (UTF-8 or GBK, as Excel saves it) or XLSX. The first row names the columns: "
            "工号, 姓名, 部门, 入职日期 are required; 手机, 邮箱, 岗位, 职级, 上级工号, 批次 "
            "are optional. English headers work too."
        ),
        error_messages={
            "required": _("Choose a roster file to upload."),
            "empty": _("The file is empty. Export the roster again and upload it."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
    cohort_name = forms.CharField(
        label=_("Cohort"),
        max_length=100,
        required=False,
        help_text=_(
            "For rows without a cohort column, e.g. “2026-12 校招”. Created if it does not exist."
        ),
    )
    create_missing = forms.BooleanField(
        label=_("Create missing departments, positions and levels"),
        required=False,
        help_text=_("Otherwise rows naming an unknown department, position or level are rejected."),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        extension = Path(upload.name or "").suffix.lower().lstrip(".")
        if extension == "xls":
            raise forms.ValidationError(
                gettext(
                    "Old Excel 97–2003 (.xls) files cannot be read. "
                    "Save the sheet as .xlsx or CSV and upload that."
                ),
                code="xls",
            )
        if extension not in ROSTER_EXTENSIONS:
            raise forms.ValidationError(
                gettext("Upload a .csv, .xlsx or .txt file (this one is “%(name)s”).")
                % {"name": upload.name},
                code="extension",
            )
        limit = settings.ROSTER_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                gettext("The file is %(size)s; the limit is %(max)s. Split it into smaller files.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(limit)},
                code="size",
            )
        return upload


class EmployeeForm(WagtailAdminModelForm):
    """HR's form for one person. Saving goes through the services, which keep the
    sign-in account in step (a new person gets one; someone who left is locked out)."""

    class Meta:
        model = Employee
        fields = [
            "employee_no",
            "name",
            "phone",
            "email",
            "department",
            "position",
            "level",
            "cohort",
            "start_date",
            "manager",
            "status",
            "left_on",
            "preferred_language",
        ]

    def clean_employee_no(self) -> str:
        value = self.cleaned_data["employee_no"].strip()
        if not EMPLOYEE_NO_RE.match(value):
            raise forms.ValidationError(
                _("Use only letters, digits, “.”, “_” and “-” in an employee number.")
            )
        accounts = get_user_model().objects.filter(username=value)
        if self.instance.pk:
            accounts = accounts.exclude(pk=self.instance.user_id)
        if accounts.exists():
            raise forms.ValidationError(
                _("The account name %(no)s belongs to another person already.") % {"no": value}
            )
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if not value:
            return ""
        normalised = normalise_phone(value)
        if normalised is None:
            raise forms.ValidationError(
                _("“%(value)s” is not a phone number; use 11 digits like 13800138000.")
                % {"value": value}
            )
        return normalised

    def clean(self) -> dict:
        cleaned = super().clean()
        manager = cleaned.get("manager")
        if manager is not None and self.instance.pk and manager.pk == self.instance.pk:
            self.add_error("manager", _("A person cannot be their own manager."))
        position = cleaned.get("position")
        department = cleaned.get("department")
        if (
            position
            and position.department_id
            and department
            and position.department_id != department.pk
        ):
            self.add_error(
                "position",
                _("This position belongs to another department (%(department)s).")
                % {"department": position.department},
            )
        return cleaned

    def save(self, commit: bool = True) -> Employee:
        data = {field: self.cleaned_data.get(field) for field in self.Meta.fields}
        if self.instance.pk is None:
            self.instance = employee_create(
                employee_no=data["employee_no"],
                name=data["name"],
                department=data["department"],
                start_date=data["start_date"],
                position=data["position"],
                level=data["level"],
                cohort=data["cohort"],
                manager=data["manager"],
                phone=data["phone"] or "",
                email=data["email"] or "",
            )
            if data["status"] == Employee.Status.LEFT:
                employee_deactivate(employee=self.instance, left_on=data["left_on"])
        else:
            self.instance = employee_update(
                employee=self.instance, previous_status=self.initial.get("status")
            )
        return self.instance


class ServiceClientForm(forms.Form):
    """An admin names a new service client and picks what it may do."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The system that will use it, e.g. “北森 HRIS sync”."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("May"),
        choices=ServiceScope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing it may do.")},
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ServiceClient.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                gettext("A service client called “%(name)s” exists already.") % {"name": name},
                code="duplicate",
            )
        return name

    def save(self, *, created_by: Any) -> tuple[ServiceClient, str]:
        return service_client_create(
            name=self.cleaned_data["name"],
            scopes=self.cleaned_data["scopes"],
            created_by=created_by,
        )
