import hmac
import logging
from collections.abc import Callable

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
            results[name] = f"error: {exc}"
            healthy = False
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable"}
    if _may_read_check_details(request):
        body["checks"] = results
    return JsonResponse(body, status=200 if healthy else 503)


def public_image(request: HttpRequest, path: str) -> HttpResponse:
    """Serve Wagtail images from local disk when no web server or S3 does it."""
    if not settings.ONRAMP_SERVE_PUBLIC_IMAGES:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
