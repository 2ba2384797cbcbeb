import logging
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from lms.ops.selectors import check_database, check_storage, check_worker

logger = logging.getLogger(__name__)

CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "storage": check_storage,
    "worker": check_worker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # any failure means "not ready", with the reason
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"error: {exc}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )


# Wagtail writes originals to original_images/<name> and renditions to images/<name>: one
# plain file name each (its storage's get_valid_name: word characters, "-" and ".").
PUBLIC_IMAGE_FOLDERS = frozenset({"images", "original_images"})
_IMAGE_NAME = re.compile(r"[\w-][\w.-]{0,254}")


def public_image(request: HttpRequest, folder: str, name: str) -> HttpResponse:
    """Serve Wagtail images from local disk when no web server or S3 does it.

    Only a plain file name directly inside one of Wagtail's image folders, served from
    that folder: `serve()` resolves "..", so a path handed to it with MEDIA_ROOT as the
    root could climb from images/ to the private files beside it (source videos,
    segments, rosters). A symlink planted in the folder must not lead out of it either.
    """
    if not settings.ONRAMP_SERVE_PUBLIC_IMAGES or folder not in PUBLIC_IMAGE_FOLDERS:
        raise Http404
    if not _IMAGE_NAME.fullmatch(name):
        raise Http404
    root = (Path(settings.MEDIA_ROOT) / folder).resolve()
    try:
        resolved = (root / name).resolve(strict=True)
    except (OSError, RuntimeError):
        raise Http404 from None
    if resolved.parent != root or not resolved.is_file():
        raise Http404
    return serve(request, name, document_root=root)
