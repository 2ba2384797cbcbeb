"""Admin forms of the organisation app."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

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
