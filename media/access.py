"""Who may fetch a video's files.

The rule belongs to the learning domain (who may see a course that uses the video), so
media does not know it: it calls the function named by `ONRAMP_VIDEO_ACCESS_CHECK`
(a dotted path to `(user, video) -> bool`) and never imports `lms`. Staff — anyone with
the `view_video` permission, which the Trainer, HR and Admin roles have, and superusers —
may always fetch, whatever that function says, so trainers can check a video they upload.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from media.models import Video

AccessCheck = Callable[[Any, Video], bool]

DEFAULT_ACCESS_CHECK = "media.access.staff_may_view"
VIEW_PERMISSION = "onramp_media.view_video"


def staff_may_view(user: Any, video: Video) -> bool:
    """The default rule while no learning domain is configured: staff roles only."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(VIEW_PERMISSION))


@lru_cache(maxsize=8)
def _load(dotted_path: str) -> AccessCheck:
    try:
        check = import_string(dotted_path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"ONRAMP_VIDEO_ACCESS_CHECK={dotted_path!r} cannot be imported: {exc}"
        ) from exc
    if not callable(check):
        raise ImproperlyConfigured(f"ONRAMP_VIDEO_ACCESS_CHECK={dotted_path!r} is not callable")
    return check


def configured_access_check() -> AccessCheck:
    # Read at call time (cached per path), so a settings override takes effect at once.
    return _load(getattr(settings, "ONRAMP_VIDEO_ACCESS_CHECK", DEFAULT_ACCESS_CHECK))


def user_may_view_video(user: Any, video: Video) -> bool:
    """May this user fetch the playlists, segments, images and captions of `video`?

    Anonymous users never may: lessons are for signed-in people, and asking the learning
    domain about an anonymous user would only invite a mistake there.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if staff_may_view(user, video):
        return True
    return bool(configured_access_check()(user, video))
