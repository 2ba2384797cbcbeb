"""CSV/XLSX downloads from Wagtail admin listings, safe to open in Excel or WPS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wagtail.coreutils import multigetattr

from lms.sheets.cells import spreadsheet_safe


class SafeSpreadsheetExportMixin:
    """For a Wagtail index view with `list_export` (it sits before Wagtail's view class).

    - CSV cells that would start a formula get a leading quote (see `spreadsheet_safe`);
      XLSX needs nothing more, Wagtail writes such a value as a string cell.
    - CSV starts with a byte-order mark: without it Excel on a Chinese Windows reads
      UTF-8 as GBK and every name turns to mojibake.
    - A dotted column through an empty relation ("manager.employee_no" of someone
      without a manager) is a blank cell instead of an error.
    """

    FORMAT_CSV: str
    list_export: list[str]

    def to_row_dict(self, item: Any) -> dict[str, Any]:
        row = {}
        for field in self.list_export:
            try:
                row[field] = multigetattr(item, field)
            except AttributeError:
                row[field] = None
        return row

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        value = super().preprocess_field_value(field, value, export_format)  # type: ignore[misc]
        if export_format == self.FORMAT_CSV:
            return spreadsheet_safe(value)
        return value

    def stream_csv(self, queryset: Any) -> Iterator[str]:
        yield "\ufeff"
        yield from super().stream_csv(queryset)  # type: ignore[misc]
