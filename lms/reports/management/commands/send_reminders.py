from typing import Any

from django.core.management.base import BaseCommand

from lms.reports.services import reminders_run


class Command(BaseCommand):
    help = (
        "Send the reminders that are due now (due soon, overdue, escalations), batched into "
        "one message per person per day. Safe to run as often as you like, e.g. from cron: "
        "0 * * * * manage.py send_reminders"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders_run()
        if result.quiet:
            self.stdout.write("Quiet hours: nothing sent.")
            return
        self.stdout.write(
            f"{result.queued} new reminders recorded, {result.messages} messages sent "
            f"({result.emails} by email), {result.skipped} dropped as no longer needed."
        )
