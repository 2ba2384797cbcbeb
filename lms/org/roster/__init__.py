"""New-hire roster import, in the order it runs: read → plan → apply, and uploads.

- `read`: a CSV/XLSX file into cleaned rows and per-cell problems (no database; the
  workbook goes through the bounded reader of `lms.sheets.reading`).
- `plan`: the rows checked against the organisation; what each row would do.
- `apply`: a valid plan written all or nothing; `roster_import` runs the three steps.
- `uploads`: an import driven from the admin: the stored file, its preview, claiming it
  when HR confirms, applying it once (confirming and the task are `lms.org.tasks`'s).
"""

from lms.org.roster.apply import roster_apply, roster_import
from lms.org.roster.plan import PlannedRow, RosterPlan, roster_plan
from lms.org.roster.read import (
    COLUMN_ALIASES,
    COLUMN_LABELS,
    EMPLOYEE_NO_RE,
    REQUIRED_COLUMNS,
    CellProblem,
    RosterFileError,
    RosterRow,
    RosterTable,
    canonical_column,
    clean_row,
    normalise_phone,
    parse_roster_date,
    read_roster,
)
from lms.org.roster.uploads import (
    roster_upload_apply,
    roster_upload_can_confirm,
    roster_upload_claim,
    roster_upload_create,
)

__all__ = [
    "COLUMN_ALIASES",
    "COLUMN_LABELS",
    "EMPLOYEE_NO_RE",
    "REQUIRED_COLUMNS",
    "CellProblem",
    "PlannedRow",
    "RosterFileError",
    "RosterPlan",
    "RosterRow",
    "RosterTable",
    "canonical_column",
    "clean_row",
    "normalise_phone",
    "parse_roster_date",
    "read_roster",
    "roster_apply",
    "roster_import",
    "roster_plan",
    "roster_upload_apply",
    "roster_upload_can_confirm",
    "roster_upload_claim",
    "roster_upload_create",
]
