"""System checks: a delivery setting that cannot work fails at start-up, not on the first
segment a learner asks for."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from media import delivery


@register()
def check_video_delivery(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    mode = getattr(settings, "VIDEO_DELIVERY", "django")
    if mode not in delivery.DELIVERY_MODES:
        return [
            Error(
                f"VIDEO_DELIVERY is {mode!r}.",
                hint=f"Use one of {', '.join(delivery.DELIVERY_MODES)}.",
                id="onramp_media.E001",
            )
        ]
    if mode == "x-sendfile" and delivery.local_path("videos") is None:
        return [
            Error(
                "VIDEO_DELIVERY=x-sendfile needs the default storage on local disk.",
                hint="Use x-accel with an nginx location for the bucket, or s3.",
                id="onramp_media.E002",
            )
        ]
    if mode == "s3" and not delivery.storage_supports_signed_urls():
        return [
            Error(
                "VIDEO_DELIVERY=s3 needs a default storage that signs URLs.",
                hint="Set AWS_STORAGE_BUCKET_NAME (django-storages' S3 storage).",
                id="onramp_media.E003",
            )
        ]
    if mode == "x-accel" and not str(settings.VIDEO_X_ACCEL_PREFIX).startswith("/"):
        return [
            Error(
                "VIDEO_X_ACCEL_PREFIX must be an absolute path such as /protected-media/.",
                id="onramp_media.E004",
            )
        ]
    return []
