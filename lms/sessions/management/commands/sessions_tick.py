from typing import Any

from django.core.management.base import BaseCommand

from lms.sessions.tasks import sweep_offers


class Command(BaseCommand):
    help = (
        "Move lapsed waitlist offers on to the next person. Safe to run as often as you "
        "like (cron: every 10 minutes) when no task worker runs the periodic tasks."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        moved = sweep_offers.call()
        self.stdout.write(f"offers moved on: {moved}")
