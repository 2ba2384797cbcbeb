from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from lms.org.roster import COLUMN_LABELS, roster_import


class Command(BaseCommand):
    help = "Import new hires from a CSV (UTF-8 or GBK) or XLSX roster; all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")
        parser.add_argument(
            "--cohort", default="", help="Cohort for rows without one (created if missing)."
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create unknown departments, positions, levels and cohorts.",
        )
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="Report language (zh-hans or en)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        with translation.override(options["language"]):
            if not path.is_file():
                raise CommandError(_("File not found: %(path)s") % {"path": path})
            if path.stat().st_size > settings.ROSTER_IMPORT_MAX_BYTES:
                raise CommandError(
                    _("The file is larger than %(max)d MB.")
                    % {"max": settings.ROSTER_IMPORT_MAX_BYTES // (1024 * 1024)}
                )
            with path.open("rb") as stream:
                plan, applied = roster_import(
                    stream=stream,
                    filename=path.name,
                    dry_run=options["dry_run"],
                    cohort_name=options["cohort"],
                    create_missing=options["create_missing"],
                    max_rows=settings.ROSTER_IMPORT_MAX_ROWS,
                )
            self._report(plan.report(), applied, options["dry_run"])

    def _report(
        self, report: dict[str, Any], applied: dict[str, int] | None, dry_run: bool
    ) -> None:
        if report["file_error"]:
            raise CommandError(report["file_error"])
        counts = report["counts"]
        if report["ignored_headers"]:
            self.stdout.write(
                _("Ignored columns: %(columns)s")
                % {"columns": ", ".join(report["ignored_headers"])}
            )
        for kind, names in report["to_create"].items():
            self.stdout.write(
                _("Will create %(kind)s: %(names)s")
                % {"kind": COLUMN_LABELS.get(kind, kind), "names": ", ".join(names)}
            )
        for problem in report["problems"]:
            self.stderr.write(_("Row %(row)d, %(column)s: %(message)s") % problem)
        summary = (
            _(
                "%(total)d rows: %(create)d new, %(update)d changed, %(unchanged)d unchanged, %(reject)d rejected."
            )
            % counts
        )
        if not report["valid"]:
            raise CommandError(
                summary + " " + _("Nothing was imported; fix the rows above and run again.")
            )
        if dry_run or applied is None:
            self.stdout.write(summary + " " + _("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(summary + " " + _("Imported.")))
