"""Background work of the organisation app."""

from django_tasks import task

from lms.ops import lanes
from lms.org.roster_imports import roster_upload_apply


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def roster_import_apply(*, roster_import_id: int) -> str:
    """Apply a confirmed roster import (idempotent: safe to run again)."""
    return roster_upload_apply(roster_import_id=roster_import_id)
