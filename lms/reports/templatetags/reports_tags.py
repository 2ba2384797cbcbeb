"""Template helpers of the reports, and the learner's notices include."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def map_state_label(state: str) -> str:
    labels = {
        "done": _("Done"),
        "exempt": _("Exempt"),
        "overdue": _("Overdue"),
        "current": _("Up next"),
        "todo": _("To do"),
        "locked": _("Locked"),
    }
    return labels.get(state, state)


@register.inclusion_tag("reports/learner_notices.html")
def learner_notices(employee: Any) -> dict[str, Any]:
    """The person's latest unread notices, for the learner home (one small query)."""
    from lms.reports.notices import notices_for

    return {"notices": notices_for(employee=employee) if employee is not None else []}
