from typing import Any

from django.core.management.base import BaseCommand

from lms.sessions.tasks import send_day_before_reminders, sweep_offers


class Command(BaseCommand):
    help = (
        "Move lapsed waitlist offers on to the next person and send the day-before "
        "reminders. Safe to run as often as you like (cron: every 10 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        moved = sweep_offers.call()
        reminded = send_day_before_reminders.call()
        self.stdout.write(f"offers moved on: {moved}; reminders sent: {reminded}")
