"""Reads of in-app notices, for the learner pages and the API."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lms.org.models import Employee
from lms.reports.models import Notice

NOTICES_SHOWN = 3
# A reminder older than this is stale news even if it was never marked as read.
NOTICE_MAX_AGE = dt.timedelta(days=14)


def notices_for(*, employee: Employee, limit: int = NOTICES_SHOWN) -> list[Notice]:
    """The newest unread, recent notices of a person."""
    return list(
        Notice.objects.unread()
        .filter(employee=employee, created_at__gte=timezone.now() - NOTICE_MAX_AGE)
        .order_by("-created_at", "-pk")[:limit]
    )
