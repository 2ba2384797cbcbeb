import hmac
import logging
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from lms.ops.selectors import check_database, check_storage_recently, check_worker

logger = logging.getLogger(__name__)

CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "storage": check_storage_recently,
    "worker": check_worker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _may_read_check_details(request: HttpRequest) -> bool:
    """Staff, or a probe presenting READYZ_TOKEN (as a Bearer token or X-Probe-Token).

    The failing check's message can name hosts, paths and buckets; everyone else gets
    the status alone. Behind a proxy every caller comes from the proxy's address, so the
    address is no proof of being a probe.
    """
    token = settings.READYZ_TOKEN
    if token:
        authorization = request.headers.get("Authorization", "")
        presented = request.headers.get("X-Probe-Token") or (
            authorization[len("Bearer ") :] if authorization.startswith("Bearer ") else ""
        )
        if presented and hmac.compare_digest(presented.encode(), token.encode()):
            return True
    return request.user.has_perm("wagtailadmin.access_admin")


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
            results[name] = f"{getattr(exc, 'state', 'error')}: {exc}"
            healthy = False
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable"}
    if _may_read_check_details(request):
        body["checks"] = results
    return JsonResponse(body, status=200 if healthy else 503)


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
