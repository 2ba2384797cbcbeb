"""Background work of the organisation app.

A task calls a service; a service never enqueues a task. The admin confirms a roster
import through `roster_upload_confirm`, which claims it and enqueues its task on commit.
"""

from __future__ import annotations

import logging
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_tasks import task

from lms.ops import lanes
from lms.org.models import RosterImport
from lms.org.roster.uploads import (
    roster_upload_apply,
    roster_upload_claim,
    roster_upload_not_started,
    roster_upload_queued,
)

logger = logging.getLogger(__name__)


@task(queue_name=lanes.ONBOARDING, priority=lanes.ONBOARDING_PRIORITY)
def roster_import_apply(*, roster_import_id: int) -> str:
    """Apply a confirmed roster import (idempotent: safe to run again)."""
    return roster_upload_apply(roster_import_id=roster_import_id)


def roster_upload_confirm(
    *, roster_import: RosterImport, confirmed_by: AbstractBaseUser | None
) -> bool:
    """Queue a previewed import to be applied. False if it is not waiting to be applied.

    Two clicks (or two people) confirming at once queue one task; the task starts only
    after this transaction commits.
    """
    with transaction.atomic():
        claimed = roster_upload_claim(roster_import=roster_import, confirmed_by=confirmed_by)
        if claimed:
            transaction.on_commit(partial(_enqueue_apply, roster_import.pk))
    roster_import.refresh_from_db()
    return claimed


def _enqueue_apply(roster_import_id: int) -> None:
    try:
        result = roster_import_apply.enqueue(roster_import_id=roster_import_id)
    except Exception:
        # The request has committed already; a broken queue must show on the import,
        # not as a server error.
        logger.exception("could not enqueue roster import %s", roster_import_id)
        roster_upload_not_started(roster_import_id=roster_import_id)
        return
    roster_upload_queued(roster_import_id=roster_import_id, task_id=str(result.id))
