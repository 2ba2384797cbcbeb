from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender: AppConfig, **kwargs: object) -> None:
    # post_migrate fires once per app; permissions of every app exist only after
    # the last one, so the roles are synced then.
    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender is with_models[-1]:
        from lms.org.roles import roles_sync

        roles_sync()


class OrgConfig(AppConfig):
    name = "lms.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="onramp_sync_roles")
