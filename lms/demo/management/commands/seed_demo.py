import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from lms.demo.courses import SeedReport, demo_courses_seed
from lms.demo.org import demo_organisation_seed
from lms.demo.paths import demo_paths_seed
from lms.demo.reports import demo_reports_seed
from lms.demo.sessions import demo_sessions_seed

# Each step is idempotent and returns what it did. Later steps (courses, learning paths,
# in-person sessions) go after the organisation they build on.
SEED_STEPS: list[Callable[[], SeedReport]] = [
    demo_organisation_seed,
    demo_courses_seed,  # type: ignore[list-item]  # same shape; courses does not import lms
    demo_paths_seed,
    demo_sessions_seed,
    demo_reports_seed,
]


class Command(BaseCommand):
    help = (
        "Load the demo organisation, new hires and demo accounts from the scenario documents. "
        "Safe to run again: what exists is kept. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (the demo accounts share a published password).",
        )
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="Output language (zh-hans or en)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            if not settings.DEBUG and not options["force"]:
                raise CommandError(
                    _(
                        "DEBUG is off, so this looks like a production site: seed_demo would add "
                        "demo people and accounts with a published password. Nothing was changed. "
                        "Run it with --force if you really want the demo data here."
                    )
                )
            started = time.perf_counter()
            # All steps or none: a failure halfway leaves the database as it was.
            with transaction.atomic():
                reports = [step() for step in SEED_STEPS]
            elapsed = time.perf_counter() - started
            for report in reports:
                self._report(report)
            created = sum(report.created for report in reports)
            updated = sum(report.updated for report in reports)
            if created or updated:
                summary = _("Demo data loaded in %(seconds).2f s.") % {"seconds": elapsed}
            else:
                summary = _("Demo data was already there; nothing changed (%(seconds).2f s).") % {
                    "seconds": elapsed
                }
            self.stdout.write(self.style.SUCCESS(summary))

    def _report(self, report: SeedReport) -> None:
        self.stdout.write(f"{capfirst(report.title)}:")
        for counts in report.counts:
            self.stdout.write(
                "  "
                + _(
                    "%(kind)s: %(created)d created, %(updated)d updated, %(unchanged)d already there"
                )
                % {
                    "kind": capfirst(counts.label),
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
