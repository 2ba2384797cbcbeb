"""Background work of in-person sessions that changes state: the sweep of seat offers.

A task here calls a service. The mail the services send after a change (invites, seat
offers, reminders) is in lms/sessions/mail.py.
"""

from __future__ import annotations

from django_tasks import task

# Jobs queued before the mail tasks moved to lms.sessions.mail name them by this module.
from lms.ops import lanes
from lms.sessions.mail import (  # noqa: F401
    send_approval_request,
    send_invite,
    send_readiness_reminders,
    send_seat_offer,
)
from lms.sessions.services import sessions_offers_move_on_all


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def sweep_offers() -> int:
    """Periodic: move lapsed seat offers on to the next on the waitlist (idempotent)."""
    return sessions_offers_move_on_all()
