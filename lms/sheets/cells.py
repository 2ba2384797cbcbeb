"""Cell values for spreadsheet exports (CSV, XLSX), safe to open in Excel or WPS.

A cell whose text starts with = + - @ (or a tab or carriage return, which some
spreadsheet programs skip before such a sign) is taken as a formula when the file is
opened: a roster name like `=HYPERLINK("http://evil", "点我")` would run. OWASP's
advice is to prefix such a value with a single quote, which shows the text as typed.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """The value for a text cell, with a leading quote if it would start a formula.

    Anything that is not a string (numbers, dates, None) is returned unchanged: those
    are written as typed cells, never parsed as formulas.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
