"""Reads of in-app notices, for the learner pages and the API."""

from __future__ import annotations

from lms.org.models import Employee
from lms.reports.models import Notice

NOTICES_SHOWN = 3


def notices_for(*, employee: Employee, limit: int = NOTICES_SHOWN) -> list[Notice]:
    """The newest unread notices of a person."""
    return list(
        Notice.objects.unread().filter(employee=employee).order_by("-created_at", "-pk")[:limit]
    )
