from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    """The video pipeline: upload, probe, transcode to HLS (built in the video issue)."""

    name = "media"
    label = "onramp_media"
    verbose_name = _("Video")

    def ready(self) -> None:
        from media import checks  # noqa: F401  (registers the system checks)
