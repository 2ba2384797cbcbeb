"""Onramp settings: everything comes from the environment.

The defaults are the production configuration on the embedded setup (SQLite, local
files, database-backed task worker), so that `make run` is what a company first runs:
DEBUG off, a secret key generated once in the data directory, compressed and hashed
static files. `make dev` switches DEBUG on. A deployment with TLS in front (nginx, a
load balancer) says so with ONRAMP_BEHIND_TLS=1, which turns on the HTTPS-only settings.
"""

import datetime as dt
import ipaddress
import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# TLS ends in front of Onramp (nginx, a load balancer): HTTPS redirect, secure cookies
# and HSTS follow this one switch. `make run` serves plain HTTP on 127.0.0.1, so off.
ONRAMP_BEHIND_TLS = env.bool("ONRAMP_BEHIND_TLS", default=False)

# Runtime data (SQLite, uploads, transcodes, imports) never lives in source folders.
DATA_DIR = Path(env.str("ONRAMP_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key_from(path: Path) -> str:
    """The key kept in the data directory, made on first use (readable by its owner only).

    Several processes start at once (web workers, the task worker): the key is written
    to a private temporary file and linked into place, so exactly one of them creates it
    and every other one reads the complete file.
    """
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    key = path.read_text().strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable secret key; delete it to make one.")
    return key


# SECRET_KEY from the environment wins (several machines must share one); otherwise the
# key made once in the data directory, so sessions survive a restart.
SECRET_KEY = env.str("SECRET_KEY", default="") or _secret_key_from(DATA_DIR / "secret_key")
if SECRET_KEY.startswith("django-insecure-") and not DEBUG:
    raise ImproperlyConfigured(
        "SECRET_KEY is a published development key; unset it (a key is then made in the "
        "data directory) or set a real one."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
if ONRAMP_BEHIND_TLS and "ALLOWED_HOSTS" not in os.environ:
    raise ImproperlyConfigured(
        "ONRAMP_BEHIND_TLS=1 needs ALLOWED_HOSTS: the host names the site is reached by."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Onramp
    "lms.org",
    "lms.paths",
    "lms.ops",
    "lms.learner",
    "lms.reports",
    "lms.progress",
    "lms.sessions",
    "lms.surveys",
    "lms.demo",
    "courses",
    "media",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third party
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_vite",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms.ops.middleware.StaticFilesMiddleware",
    "lms.ops.middleware.ContentSecurityPolicyMiddleware",
    "lms.ops.middleware.TextCompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.org.middleware.PreferredLanguageMiddleware",
    # After the language: its refusals are in the person's language.
    "lms.learner.middleware.PersonalPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "lms.org.middleware.PasswordChangeRequiredMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# No page may be framed by another site; Wagtail's preview views opt in to SAMEORIGIN
# themselves (the admin shows the preview in an iframe), and the Content-Security-Policy
# follows them (lms.ops.middleware).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp). Onramp's own pages run only its own scripts and
# styles (an inline one needs the request's nonce: {{ request.csp_nonce }}); video plays
# from the blob: MediaSource URLs hls.js makes (its light ES build starts no worker, so
# worker-src is the service worker's 'self'). Media on an S3-compatible store is fetched
# from the store's origin (derived from AWS_*, or listed in ONRAMP_CSP_MEDIA_ORIGINS).
_STORAGE_ORIGINS = env.list("ONRAMP_CSP_MEDIA_ORIGINS", default=[])
_bucket = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if _bucket and env.str("AWS_S3_ENDPOINT_URL", default=""):
    _endpoint = urlsplit(env.str("AWS_S3_ENDPOINT_URL"))
    _STORAGE_ORIGINS.append(f"{_endpoint.scheme}://{_endpoint.netloc}")
elif _bucket:
    _STORAGE_ORIGINS.append(f"https://{_bucket}.s3.amazonaws.com")
    if env.str("AWS_S3_REGION_NAME", default=""):
        _STORAGE_ORIGINS.append(
            f"https://{_bucket}.s3.{env.str('AWS_S3_REGION_NAME')}.amazonaws.com"
        )
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", *_STORAGE_ORIGINS],
        "media-src": [SELF, "blob:", *_STORAGE_ORIGINS],
        "connect-src": [SELF, *_STORAGE_ORIGINS],
        "worker-src": [SELF],
        "font-src": [SELF, "data:"],
        "manifest-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# (The Wagtail admin gets 'unsafe-inline' for scripts and styles, which its own templates
# need; the preview frame gets frame-ancestors 'self': lms.ops.middleware.)

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'onramp.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not memory) for the test database, so a worker started by a test in
    # another process sees the same data; one file per run, so parallel runs in one
    # checkout do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test_onramp_{os.getpid()}.sqlite3")}
    # WAL lets the web process read while the worker writes; a busy timeout turns
    # short write contention into a wait instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Keep connections between requests: opening one costs more than a whole path-map read
# (for SQLite, the WAL and busy-timeout setup runs on every connect).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Only derived, versioned data is cached (e.g. path maps keyed by their version), so a
# per-process memory cache is correct; CACHE_URL=redis://… shares it between servers.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://onramp?MAX_ENTRIES=20000")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lms.org.auth.EmployeeNumberOrPhoneBackend",
]
# Sign-in protection (lms/org/auth.py). Failures lock an account for a while from the
# address they came from (django-axes, in the database): someone elsewhere cannot lock an
# employee out by typing their number, and the same employee elsewhere can still sign in.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "lms.org.auth.lockout_username"
AXES_CLIENT_IP_CALLABLE = "lms.org.auth.client_address"
AXES_HANDLER = "lms.org.auth.SignInAttemptsHandler"
AXES_LOCKOUT_CALLABLE = "lms.org.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "learner/locked_out.html"
AXES_VERBOSE = False
# Failed sign-ins per address (any accounts) before the address must wait for the
# window to end; counted in the cache. A training room of 300 behind one NAT address,
# each with a typo or two, stays well under it; successes never count.
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", default=1000)
SIGN_IN_FAILURE_WINDOW_SECONDS = 60 * env.int("SIGN_IN_FAILURE_WINDOW_MINUTES", default=15)
# The proxies in front (addresses or networks, e.g. "10.0.0.5,10.0.1.0/28"). Only a
# connection from one of them has its X-Forwarded-For believed; with none, the address
# is the connection's own (REMOTE_ADDR).
TRUSTED_PROXIES = [p.strip() for p in env.list("TRUSTED_PROXIES", default=[]) if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network ({_error})."
        ) from None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Languages: Simplified Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# Static files: Vite builds frontend/ into frontend/dist; whitenoise serves hashed,
# long-cached files from STATIC_ROOT.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]
(BASE_DIR / "frontend" / "dist").mkdir(parents=True, exist_ok=True)
DJANGO_VITE = {
    "default": {
        "dev_mode": env.bool("VITE_DEV_MODE", default=False),
        "manifest_path": BASE_DIR / "frontend" / "dist" / "manifest.json",
        "static_url_prefix": "",
    }
}
if DJANGO_VITE["default"]["dev_mode"]:
    # `make dev VITE=1`: scripts come from Vite's dev server, which also injects styles
    # and reloads over a WebSocket. Development only.
    _vite = "http://localhost:5173"
    _directives = CONTENT_SECURITY_POLICY["DIRECTIVES"]
    _directives["script-src"] = [*_directives["script-src"], _vite]
    _directives["style-src"] = [SELF, UNSAFE_INLINE, _vite]
    _directives["connect-src"] = [*_directives["connect-src"], _vite, "ws://localhost:5173"]

MEDIA_URL = "/media-files/"
# Django serves Wagtail's public images itself unless a web server or S3 does.
ONRAMP_SERVE_PUBLIC_IMAGES = env.bool("ONRAMP_SERVE_PUBLIC_IMAGES", default=True)
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
# Files above this size stream to FILE_UPLOAD_TEMP_DIR instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Storage: local disk by default, any S3-compatible service by configuration.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    # Hashed names and gzip/brotli copies made by collectstatic (scripts/run.sh runs it):
    # a phone downloads hls.js once, compressed, and keeps it for a year.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Background tasks: the database backend runs anywhere; Redis/RQ when REDIS_URL is set.
# Tasks run in lanes (queues), each task names its own (lms/ops/lanes.py), and each worker
# serves some of them (`run_worker --queues`), so long work never holds up a new hire:
#   onboarding  what a new hire waits for: roster imports, path assignment, invites,
#               reminders, notices; short jobs, and above the "default" lane's priority
#   long        minutes to hours: video transcodes, big exports; a worker of their own
#   default     the rest, lowest: Wagtail's reference-index updates (Wagtail enqueues
#               them there), housekeeping sweeps, small exports
TASK_QUEUES = ["onboarding", "long", "default"]
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 60 * 60} for name in TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# An export of at least this many rows runs in the "long" lane, a smaller one in "default".
EXPORT_LONG_ROWS = env.int("EXPORT_LONG_ROWS", default=5000)
# A worker that has not reported within this many seconds counts as down in /readyz/.
WORKER_HEARTBEAT_MAX_AGE = env.int("WORKER_HEARTBEAT_MAX_AGE", default=90)
# A task that reports no progress for this many seconds shows its worker as "stuck" in
# /readyz/ (a transcode reports every second; an export every few thousand rows).
WORKER_TASK_BUDGET = env.int("WORKER_TASK_BUDGET", default=900)
# A video or export whose worker died goes back in the queue this many times, then fails.
WORKER_MAX_REQUEUES = env.int("WORKER_MAX_REQUEUES", default=2)
# How the video pipeline tells the worker it moved forward (media does not import lms).
ONRAMP_TASK_PROGRESS_HOOK = "lms.ops.services.worker_task_progress"
# /readyz/ tells everyone only its status; which check failed and why goes to staff and
# to a probe presenting this token (behind a proxy every caller looks local, so the
# address proves nothing). Empty: staff only.
READYZ_TOKEN = env.str("READYZ_TOKEN", default="")
# The storage round-trip (a write, a read, a delete) runs at most this often per cache.
READYZ_STORAGE_CHECK_SECONDS = env.int("READYZ_STORAGE_CHECK_SECONDS", default=30)

# Wagtail
WAGTAIL_SITE_NAME = "Onramp"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = True
# Every page gets an alias in the other content languages: a learner browsing in
# English sees the Chinese course until someone translates that alias.
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = True
# No avatars from gravatar.com and no new-release check against wagtail.org: the admin
# must not call out to third parties (and its Content-Security-Policy refuses it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "txt", "csv", "zip"]

# Who may fetch a video's playlists and segments: the learning domain decides
# (media/ calls this function by name, so it never imports lms/).
ONRAMP_VIDEO_ACCESS_CHECK = "lms.paths.access.can_view_video"

# Passwords change in one place, /accounts/password/, and are handed out only through
# "Sign-in passwords" (lms.org.services.password_set logs it, and revokes the person's
# API tokens): Wagtail's own password page, its e-mailed reset link and the password
# fields of its user editor would each bypass that.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False

# REST API
# Django's own CSRF refusals answer the API's JSON error body under /api/.
CSRF_FAILURE_VIEW = "lms.api.v1.errors.csrf_failure"
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The first class answers an anonymous request: token authentication makes it a 401
    # with `WWW-Authenticate: Token` (session authentication alone would make it a 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lms.api.authentication.ApiTokenAuthentication",
        "lms.api.authentication.ServiceClientAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "lms.api.v1.errors.onramp_exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # The API reads JSON (the upload chunks name their own parser). Form and multipart
    # bodies cannot carry its nested objects and lists, so they are not offered at all:
    # a form body is a 415, and the schema lists application/json only.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
# The OpenAPI schema and Swagger UI: for staff (people who may use the admin) unless
# published for everyone, e.g. for an integrator's developers.
ONRAMP_API_DOCS_PUBLIC = env.bool("ONRAMP_API_DOCS_PUBLIC", default=False)
# Personal API tokens (django-rest-knox): only a SHA-512 digest is stored. A token lasts
# API_TOKEN_TTL_DAYS after its last use (the expiry moves at most once a day, so a phone
# in daily use stays signed in without a write per request) and never beyond
# API_TOKEN_MAX_AGE_DAYS after it was issued. A password change deletes them all.
REST_KNOX = {
    "SECURE_HASH_ALGORITHM": "hashlib.sha512",
    "AUTH_TOKEN_CHARACTER_LENGTH": 64,
    "TOKEN_TTL": dt.timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 24 * 60 * 60,
    "AUTO_REFRESH_MAX_TTL": dt.timedelta(days=env.int("API_TOKEN_MAX_AGE_DAYS", default=180)),
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Onramp API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["lms.api.schema.only_onramp_api"],
    # `<id:…>` in the API's URLs (media.api_common.IdConverter): 1 … 2⁶³−1.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lms.api.schema.add_error_responses",
    ],
    # Request bodies get their own components: a read-only field (the token of
    # POST auth/token/) is not asked for, and a text field that must not be blank says
    # so (minLength 1), so the schema refuses what the API refuses.
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    "SERVE_PERMISSIONS": ["lms.api.schema.ApiDocsPermission"],
    # Swagger UI from the sidecar package: no CDN, works on a closed network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# The learning domain recomputes assigned paths when the organisation changes people.
ONRAMP_ON_EMPLOYEES_CHANGED = "lms.paths.tasks.paths_assign_later"

# Roster import
ROSTER_IMPORT_MAX_BYTES = env.int("ROSTER_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
ROSTER_IMPORT_MAX_ROWS = env.int("ROSTER_IMPORT_MAX_ROWS", default=50_000)
# Uploaded XLSX workbooks (lms.sheets.reading): checked before they are unpacked or parsed.
XLSX_MAX_UNCOMPRESSED_BYTES = env.int("XLSX_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
XLSX_MAX_ENTRIES = env.int("XLSX_MAX_ENTRIES", default=1000)
XLSX_MAX_COMPRESSION_RATIO = env.int("XLSX_MAX_COMPRESSION_RATIO", default=100)
XLSX_MAX_CELLS = env.int("XLSX_MAX_CELLS", default=1_000_000)
XLSX_MAX_COLUMNS = env.int("XLSX_MAX_COLUMNS", default=64)
# CSV rosters: a longer line or cell is not a roster.
CSV_MAX_LINE_CHARS = env.int("CSV_MAX_LINE_CHARS", default=64 * 1024)

# Video pipeline (media/): sources above these limits are rejected with a plain reason.
VIDEO_MAX_UPLOAD_BYTES = env.int("VIDEO_MAX_UPLOAD_BYTES", default=4 * 1024**3)
VIDEO_MAX_DURATION = env.int("VIDEO_MAX_DURATION", default=4 * 60 * 60)  # seconds
VIDEO_MAX_SIDE = env.int("VIDEO_MAX_SIDE", default=4096)  # pixels, either side
# Seconds an ffprobe (or a one-frame ffmpeg step: decode check, poster) may run before it
# is killed and the video fails; a file that makes ffprobe wait must not hold the worker.
FFPROBE_TIMEOUT = env.float("FFPROBE_TIMEOUT", default=60.0)
# ffmpeg and ffprobe run at this nice level (0-19): on a small server a transcode then
# takes the cores only when the web server and the onboarding lane leave them idle.
FFMPEG_NICE = env.int("FFMPEG_NICE", default=10)
# The whole transcode may take FFMPEG_TIMEOUT_PER_SECOND seconds per second of video,
# and never less than FFMPEG_TIMEOUT_MIN seconds.
FFMPEG_TIMEOUT_PER_SECOND = env.float("FFMPEG_TIMEOUT_PER_SECOND", default=6.0)
FFMPEG_TIMEOUT_MIN = env.float("FFMPEG_TIMEOUT_MIN", default=600.0)
# Delivery of a video's files after the access check: "django" serves the bytes (with
# ranges), "x-accel" hands them to nginx (X-Accel-Redirect to an internal location that
# maps VIDEO_X_ACCEL_PREFIX onto MEDIA_ROOT or a bucket), "x-sendfile" to Apache/lighttpd,
# "s3" redirects to a short-lived signed URL of the default (S3) storage.
VIDEO_DELIVERY = env.str("VIDEO_DELIVERY", default="django")
VIDEO_X_ACCEL_PREFIX = env.str("VIDEO_X_ACCEL_PREFIX", default="/protected-media/")
VIDEO_SIGNED_URL_SECONDS = env.int("VIDEO_SIGNED_URL_SECONDS", default=300)
# Resumable uploads: chunks the admin sends, and how long an idle upload is kept.
VIDEO_UPLOAD_CHUNK_BYTES = env.int("VIDEO_UPLOAD_CHUNK_BYTES", default=8 * 1024**2)
VIDEO_UPLOAD_SESSION_HOURS = env.int("VIDEO_UPLOAD_SESSION_HOURS", default=24)

# Reports and reminders (lms/reports): "due soon" is this many days before the due date;
# an overdue item is reminded every N days at most M times, then escalated to the
# manager; nothing is sent in the quiet hours (local time, may span midnight).
REPORTS_DUE_SOON_DAYS = env.int("REPORTS_DUE_SOON_DAYS", default=3)
REMINDERS_OVERDUE_EVERY_DAYS = env.int("REMINDERS_OVERDUE_EVERY_DAYS", default=3)
REMINDERS_OVERDUE_MAX = env.int("REMINDERS_OVERDUE_MAX", default=3)
REMINDERS_ESCALATE_AFTER_DAYS = env.int("REMINDERS_ESCALATE_AFTER_DAYS", default=7)
REMINDERS_QUIET_HOURS = env.str("REMINDERS_QUIET_HOURS", default="21:00-08:00")
REPORTS_INLINE_EXPORT_ROWS = env.int("REPORTS_INLINE_EXPORT_ROWS", default=2000)
# Tasks the worker enqueues periodically: (dotted task path, seconds between runs).
ONRAMP_PERIODIC_TASKS = [
    ("lms.reports.tasks.reminders_send", env.int("REMINDERS_INTERVAL_SECONDS", default=3600)),
    # In-person sessions: lapsed waitlist offers move on (the reminders for tomorrow's
    # sessions and due surveys are in lms.reports' daily batch).
    ("lms.sessions.tasks.sweep_offers", 600),
    # Videos and exports whose worker died go back in the queue (also run at worker start).
    ("lms.ops.tasks.requeue_orphaned_videos", 60),
    ("lms.reports.tasks.requeue_orphaned_exports", 60),
]
# Enqueued once by each worker as it starts: a restarted worker picks up what it lost.
ONRAMP_WORKER_START_TASKS = [
    "lms.ops.tasks.requeue_orphaned_videos",
    "lms.reports.tasks.requeue_orphaned_exports",
]

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="onramp@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

if ONRAMP_BEHIND_TLS:
    # The proxy in front must set X-Forwarded-Proto itself (overwriting what a client
    # sent): Django trusts it to tell HTTPS requests from plain ones.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Production stack (deploy/, scripts/stack.sh) -----------------------------------
# ONRAMP_STATIC_PRECOMPRESS=0: collectstatic writes the hashed names but no gzip/brotli
# copies (brotli over the admin's files takes a minute or more), for a server whose
# nginx compresses static files itself: the local stack starts in seconds.
if not env.bool("ONRAMP_STATIC_PRECOMPRESS", default=True) and not DEBUG:
    STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    }
