"""The session form in the admin: who may set a session's trainers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.sessions.selectors import user_manages_all_sessions


class InPersonSessionForm(WagtailAdminModelForm):
    """HR and admins choose any trainers. A trainer who schedules a session becomes one of
    its trainers, and may add colleagues to the sessions they teach, but not leave them:
    handing a session over is HR's (lms.sessions.selectors explains why)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user = self.for_user
        if user is None or user_manages_all_sessions(user) or "trainers" not in cleaned:
            return cleaned
        trainers = list(cleaned["trainers"] or [])
        if any(trainer.pk == user.pk for trainer in trainers):
            return cleaned
        if self.instance.pk is None:
            cleaned["trainers"] = [*trainers, user]
        else:
            self.add_error(
                "trainers",
                _(
                    "You teach this session: keep yourself among its trainers. HR or an "
                    "admin can hand it to someone else."
                ),
            )
        return cleaned
