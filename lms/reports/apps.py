from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "lms.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Sessions and surveys add reminder kinds and transcript columns when installed.
        if apps.is_installed("lms.sessions") and apps.is_installed("lms.surveys"):
            from lms.reports import sessions

            sessions.register()
