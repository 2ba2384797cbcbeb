from django.conf import settings
from django.contrib.auth.views import LoginView
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms.learner import views as learner_views
from lms.ops import views as ops_views

urlpatterns = [
    path("healthz/", ops_views.healthz, name="healthz"),
    path("sw.js", learner_views.service_worker, name="service-worker"),
    path("manifest.webmanifest", learner_views.web_manifest, name="web-manifest"),
    path("readyz/", ops_views.readyz, name="readyz"),
    path(
        "accounts/login/",
        LoginView.as_view(template_name="learner/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", learner_views.SignOutView.as_view(), name="logout"),
    path("accounts/password/", learner_views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/setlang/", learner_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("media/", include("media.urls")),
    path("learn/", include("lms.learner.course_urls")),
    path("sessions/", include("lms.sessions.urls")),
    path("api/v1/videos/", include("media.api_urls")),
    path("api/v1/", include("lms.api.v1.urls")),
    path("", learner_views.home, name="home"),
]

# Wagtail's public image files, straight from disk in the embedded setup: one file name
# inside images/ or original_images/, nothing deeper. Nothing else under MEDIA_ROOT
# (rosters, videos, exports, documents) is reachable this way: those are private and go
# through views that check permissions.
urlpatterns += [
    re_path(
        rf"^{settings.MEDIA_URL.strip('/')}/(?P<folder>images|original_images)/(?P<name>[^/\\]+)$",
        ops_views.public_image,
        name="public-image",
    )
]

# Wagtail serves the course pages; it comes last because it matches any path.
urlpatterns += [path("", include(wagtail_urls))]
