import logging
from collections.abc import Callable

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


def public_image(request: HttpRequest, path: str) -> HttpResponse:
    """Serve Wagtail images from local disk when no web server or S3 does it."""
    if not settings.ONRAMP_SERVE_PUBLIC_IMAGES:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
