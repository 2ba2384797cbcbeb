from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingSessionsConfig(AppConfig):
    # Not "sessions": that label belongs to django.contrib.sessions.
    name = "lms.sessions"
    label = "training_sessions"
    verbose_name = _("In-person sessions")
