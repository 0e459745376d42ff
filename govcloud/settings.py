"""GovCloud settings.

Everything that differs between a laptop and production comes from environment variables (or a
`.env` file at the repository root). The defaults are safe: DEBUG is off, and with DEBUG off a
SECRET_KEY and a field-encryption key must be given explicitly.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("GOVCLOUD_DEBUG", default=False)
DATA_DIR = Path(env.str("GOVCLOUD_DATA_DIR", default=str(BASE_DIR / "data")))
# Uploaded files and generated exports live outside the web root; they are only ever served by a
# view that checks scope and writes an audit event.
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"

_DEV_SECRET = "govcloud-development-only-secret-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when GOVCLOUD_DEBUG is off.")

# SM4 key (16 bytes, hex) for sensitive fields at rest; SM3-HMAC key for audit checkpoints and the
# chain head. Both stay outside the database so that a copy of the database alone reveals nothing.
_DEV_FIELD_KEY = "00112233445566778899aabbccddeeff"
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default=_DEV_FIELD_KEY if DEBUG else "")
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default=SECRET_KEY if DEBUG else "")
if not FIELD_ENCRYPTION_KEY or not AUDIT_SIGNING_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY and AUDIT_SIGNING_KEY must be set when GOVCLOUD_DEBUG is off.")

# The demo (DEBUG on) answers any host name so it can be opened from another machine.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"] if DEBUG else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    # django.contrib.staticfiles, collecting only the front-end files the pages use.
    "govcloud.web.staticfiles.StaticFilesConfig",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Before django_tasks_db: core's `db_worker` (the library's, with worker heartbeats) replaces it.
    "govcloud.core",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "csp",
    # GovCloud, lower floors first (see ARCHITECTURE.md); core is above.
    "govcloud.audit",
    "govcloud.policies",
    "govcloud.organizations",
    "govcloud.identity",
    "govcloud.notifications",
    "govcloud.workdays",
    "govcloud.systems",
    "govcloud.security",
    "govcloud.catalog",
    "govcloud.ledger",
    "govcloud.maintenance",
    "govcloud.delivery",
    "govcloud.incidents",
    "govcloud.assessment",
    "govcloud.reconciliation",
    "govcloud.monitoring",
    "govcloud.reports",
    "govcloud.applications",
    "govcloud.waste",
    "govcloud.billing",
    "govcloud.budgets",
    "govcloud.guide",
    "govcloud.observability",
    "govcloud.web",
]

MIDDLEWARE = [
    # First, so that the request metrics and the request log cover everything below.
    "govcloud.observability.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "govcloud.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "govcloud.core.middleware.SessionIdleMiddleware",
    "govcloud.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "govcloud.organizations.middleware.AccountSecurityMiddleware",
    # After authentication and the account-security redirects (see the class).
    "govcloud.core.middleware.IdempotencyMiddleware",
    "govcloud.audit.middleware.AccessDeniedAuditMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govcloud.urls"
WSGI_APPLICATION = "govcloud.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govcloud.web.context_processors.shell",
            ],
        },
    },
    {
        # The rows of the longest lists only (govcloud/web/jinja2.py says why), in <app>/jinja2/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "govcloud.web.jinja2.environment", "extensions": ["jinja2.ext.i18n"]},
    },
]

# Django's widgets through Jinja2, the project's own through Django templates (the class says why).
FORM_RENDERER = "govcloud.web.renderers.FormRenderer"

# --- Database -------------------------------------------------------------------------------
# SQLite in the data folder is the embedded default; `postgres://...` works unchanged.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'govcloud.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of one failing
        # with "database is locked" when it upgrades a read lock; WAL lets readers run meanwhile.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
# A worker keeps its connection between requests, on SQLite too: opening one (and its pragmas) was
# 3.5 ms of every request, more than a list page's queries (issue 19, benchmarks/pages.py).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work ------------------------------------------------------------------------
# `db` (default): django-tasks-db and `manage.py db_worker`. `rq`: Redis workers started with
# `manage.py rqworker --job-class django_tasks_rq.Job`. `immediate`: run inline (tests).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="db")
_TASK_BACKENDS = {
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {sorted(_TASK_BACKENDS)}.")
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://localhost:6379/0", "DEFAULT_TIMEOUT": 3600}}
# Every periodic job, for `manage.py scheduler` (core names the list here, as ROOT_URLCONF does routes).
PERIODIC_JOBS = "govcloud.schedule.PERIODIC_JOBS"
# `manage.py rqworker default` runs core's worker (abandoned jobs run again) with django-tasks-rq's jobs.
RQ = {"WORKER_CLASS": "govcloud.core.workers.RQWorker", "JOB_CLASS": "django_tasks_rq.Job"}
# A task whose worker was killed runs again within heartbeat + dead + recovery seconds (100 s by
# default; the regulation's operations expect two minutes at most): workers beat every HEARTBEAT
# seconds, a worker silent for DEAD seconds is taken for dead, live workers look for the tasks of
# dead ones every RECOVERY seconds; a task is run again at most LOST_RETRIES times
# (govcloud.core.workers).
TASK_WORKER_HEARTBEAT_SECONDS = env.float("TASK_WORKER_HEARTBEAT_SECONDS", default=10.0)
TASK_WORKER_DEAD_SECONDS = env.float("TASK_WORKER_DEAD_SECONDS", default=60.0)
TASK_WORKER_RECOVERY_SECONDS = env.float("TASK_WORKER_RECOVERY_SECONDS", default=30.0)
TASK_WORKER_LOST_RETRIES = env.int("TASK_WORKER_LOST_RETRIES", default=3)

# --- Provisioning drivers (issue 5) ---
# Which driver fulfils an approved item: {region or "*": {catalog item code, resource kind or "*":
# driver}}; the most specific match wins. "manual" (the provider's staff, the default) or "libvirt"
# (cloud hosts as libvirt domains, run by a task). Example for GOVCLOUD_DELIVERY_DRIVERS:
# {"*": {"host": "libvirt"}}. Driver credentials never go in the database: DRIVER_SETTINGS (from the
# environment) or the secrets file GOVCLOUD_SECRETS_FILE (JSON or TOML, a section per driver, e.g.
# {"libvirt": {"uri": "qemu+ssh://ops@kvm1/system", "username": "…", "password": "…"}}).
GOVCLOUD_REGION = env.str("GOVCLOUD_REGION", default="taizhou")
DELIVERY_DRIVERS = env.json("GOVCLOUD_DELIVERY_DRIVERS", default={"*": {"*": "manual"}})
LIBVIRT_URI = env.str("LIBVIRT_URI", default="test:///default")
DRIVER_SETTINGS = {"libvirt": {"uri": LIBVIRT_URI, "pool": env.str("LIBVIRT_POOL", default="")}}
GOVCLOUD_SECRETS_FILE = env.str("GOVCLOUD_SECRETS_FILE", default="")
# An automatic work order still running after this many minutes is taken as interrupted (a worker
# killed mid-job) and run again by the provisioning sweep.
PROVISIONING_STALE_MINUTES = env.int("PROVISIONING_STALE_MINUTES", default=15)

# --- Utilization from Prometheus (issue 13 §1) ---
# GOVCLOUD_PROMETHEUS (JSON): {"url": "http://prometheus:9090", "code_label": "ledger_code",
# "queries": {"cpu_percent": "<PromQL>", "memory_percent": "<PromQL>", …}, "step": "5m",
# "delay": "1m", "lookback": "1h", "max_catchup": "24h", "points_per_query": 60,
# "timeout": 10, "headers": {"Authorization": "Bearer …"}}. Each query returns one series per
# resource, labelled `code_label` with its ledger code; every key but "url" is optional (see
# govcloud/monitoring/prometheus.py for the defaults). Without a "url" nothing is collected.
GOVCLOUD_PROMETHEUS = env.json("GOVCLOUD_PROMETHEUS", default={})

# --- Authentication and account security ----------------------------------------------------
AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "govcloud.organizations.validators.GovCloudPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "organizations:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "organizations:login"

# Lockout (django-axes). The numbers are policies the security admin can change at run time;
# these callables read them. Each of account and source address is counted on its own.
AXES_FAILURE_LIMIT = "govcloud.organizations.lockout.failure_limit"
AXES_COOLOFF_TIME = "govcloud.organizations.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "govcloud.organizations.lockout.username"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "govcloud.organizations.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "govcloud.core.context.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

OTP_TOTP_ISSUER = "GovCloud"

# --- Unified sign-on (issue 18 §1): OIDC and CAS beside local accounts -------------------------------
# Each is off until configured. GOVCLOUD_SSO_OIDC (JSON): {"discovery_url":
# "https://idp.example.gov.cn/.well-known/openid-configuration", "client_id": "govcloud", "label":
# "统一身份认证", "scope": "openid profile email", "match_claim": "email", "match_field": "email",
# "mfa_amr": ["mfa", "otp", "hwk", "sms"], "mfa_acr": []}. The client secret is never here: it is
# "client_secret" in the section "oidc" of GOVCLOUD_SECRETS_FILE (none: a public client, PKCE only).
# GOVCLOUD_SSO_CAS (JSON): {"server_url": "https://cas.example.gov.cn/cas/", "version": 3, "label":
# "…", "match_attribute": "mail", "match_field": "email"}. match_field is the account field a claim is
# compared with: "email", "username" (employee numbers as user names) or "phone". See govcloud/identity.
GOVCLOUD_SSO_OIDC = env.json("GOVCLOUD_SSO_OIDC", default={})
GOVCLOUD_SSO_CAS = env.json("GOVCLOUD_SSO_CAS", default={})
# When on, the local password form is for administrator roles only (a break-glass path): everyone
# else signs in through the identity platform.
GOVCLOUD_LOCAL_LOGIN_ADMINS_ONLY = env.bool("GOVCLOUD_LOCAL_LOGIN_ADMINS_ONLY", default=False)


def sso_origins(oidc: dict, cas: dict) -> list[str]:
    """The identity platforms' origins: logging out (a form POST) ends on the platform's logout page,
    which the Content-Security-Policy's form-action must allow."""
    from urllib.parse import urlsplit

    origins = []
    for url in (oidc.get("discovery_url", ""), cas.get("server_url", "")):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# An idle timeout: core.middleware.SessionIdleMiddleware saves the session (restarting the 30
# minutes) at most once a minute while the user is active.
SESSION_SAVE_EVERY_REQUEST = False
# How long before the idle logout the page warns, with a button to go on (web/static/web/session.js).
SESSION_WARNING_MINUTES = env.int("SESSION_WARNING_MINUTES", default=3)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security headers (production) ------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer probes over plain HTTP inside the network: a 301 to https:// is a failed
    # check for most of them. Only the probes are exempt; they reveal nothing (see web.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind the load balancer, which terminates TLS and sets X-Forwarded-Proto.
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy (django-csp): the pages load only the site's own code, so injected
# markup cannot run script. No 'unsafe-inline' and no 'unsafe-eval' anywhere: JS lives in static
# files (data reaches it through json_script), HTMX runs with allowEval off (the htmx-config meta
# tag in web/base.html) and its indicator styles come from govcloud.css, not an injected <style>.
# Styles are strict too: no template has a style= attribute or a <style> block, and what Bootstrap
# and ECharts set at run time goes through the CSSOM (element.style), which CSP does not restrict.
# Bootstrap's CSS draws its icons (select arrows, close buttons, the navbar toggler) from data:
# SVG images, hence img-src data:. Swagger UI (/api/v1/docs/, govcloud.api.ApiDocsView) runs under
# the same policy; only DRF's browsable API pages allow inline styles (core.api.renderers).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *sso_origins(GOVCLOUD_SSO_OIDC, GOVCLOUD_SSO_CAS)],
    },
}
# How many proxies in front of us may be trusted for X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Internationalization -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: Bootstrap, HTMX, ECharts, Quill come from node_modules (npm, pinned) ---------------
STATIC_URL = "/static/"
# Where collectstatic writes (a web server such as nginx may serve it directly, see docs/deployment.md).
STATIC_ROOT = Path(env.str("GOVCLOUD_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", _NODE / "bootstrap-icons" / "font"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
    ("vendor/quill", _NODE / "quill" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# collectstatic compresses each file with gzip and Brotli (highest levels), once per deployment.
# Source maps are fetched only by developer tools: not worth compressing. Pages link only the
# hashed names ({% static %}), so the unhashed copies need neither compressing nor keeping.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="govcloud@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The address people open GovCloud at, for links in e-mails (e.g. https://govcloud.taizhou.gov.cn).
GOVCLOUD_BASE_URL = env.str("GOVCLOUD_BASE_URL", default="")
# SMS through the operator's HTTP gateway (issue 18 §2, govcloud/notifications/sms.py), JSON:
# {"url": "https://sms-gw…/send", "template_id": "SMS_2981", "signature": "台州政务云", "timeout": 10,
#  "max_segments": 3}; the "api_key" preferably in the section "sms" of GOVCLOUD_SECRETS_FILE.
GOVCLOUD_SMS = env.json("GOVCLOUD_SMS", default={})
# Hosts a group robot's webhook may point to (a department head enters the address: no posting to
# internal services). Add a private deployment's host (政务微信, 专有钉钉); an empty list allows any.
GOVCLOUD_ROBOT_HOSTS = env.list("GOVCLOUD_ROBOT_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"])

# A filter left unset shows "All" (django-filter's default is "---------"; forms say "Choose…",
# core/apps.py).
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "govcloud.organizations.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["govcloud.core.api.permissions.IsAuthenticatedAndVerified"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # DRF's own, with the one relaxation of the Content-Security-Policy its pages need.
        "govcloud.core.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "govcloud.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "govcloud.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "govcloud.audit.api.exception_handler.audited_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GovCloud API",
    "DESCRIPTION": "政务云平台管理系统 REST API。以个人访问令牌认证：在“我的账户 → API 令牌”中创建令牌，"
    "请求时携带 `Authorization: Bearer gct_...`。创建类请求可带 `Idempotency-Key` 头以安全重试；错误一律以 JSON 返回"
    "（400 输入有误，403 无权限，404 不存在或不在您的范围内，409 记录状态已变化）。\n\n"
    "GovCloud REST API. Authenticate with a personal access token (My account → API tokens): "
    "`Authorization: Bearer gct_...`. Errors are JSON: 400 bad input, 403 not allowed, 404 missing or out "
    "of your scope, 409 the record's state has changed.",
    # The schema and the docs map every endpoint: outside development, for signed-in users only.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny" if DEBUG else "rest_framework.permissions.IsAuthenticated"
    ],
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API router's path converter for ids (govcloud/core/api/routers.py).
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "govcloud.organizations.models.OrganizationKind",
        "OrganizationLevelEnum": "govcloud.organizations.models.OrganizationLevel",
        "DayKindEnum": "govcloud.workdays.models.DayKind",
        "RoleEnum": "govcloud.core.roles.Role",
        "JobStatusEnum": "govcloud.core.models.JobStatus",
        "OutcomeEnum": "govcloud.audit.models.Outcome",
        "SignOnProtocolEnum": "govcloud.identity.models.Protocol",
        "ProtocolEnum": "govcloud.security.models.exposure.Protocol",  # the ports' tcp/udp, named as before
        "LinkRequestStatusEnum": "govcloud.identity.models.LinkRequestStatus",
        "ResourceKindEnum": "govcloud.catalog.models.ResourceKind",
        "ResourceStateEnum": "govcloud.ledger.models.ResourceState",
        "ExportFormatEnum": ["xlsx", "csv"],
        "ApplicationKindEnum": "govcloud.applications.models.ApplicationKind",
        "ApplicationStateEnum": "govcloud.applications.models.ApplicationState",
        "ApplicationActionEnum": "govcloud.applications.models.ApplicationAction",
        "AttachmentKindEnum": "govcloud.applications.models.AttachmentKind",
        "WorkOrderKindEnum": "govcloud.delivery.models.WorkOrderKind",
        "WorkOrderStateEnum": "govcloud.delivery.models.WorkOrderState",
        "WorkOrderNoteKindEnum": "govcloud.delivery.models.NoteKind",
        "TerminationEvidenceKindEnum": "govcloud.delivery.models.EvidenceKind",
        "TerminationEvidenceStateEnum": "govcloud.delivery.models.EvidenceState",
        "HistoryKindEnum": "govcloud.ledger.models.HistoryKind",
        "DiscrepancyKindEnum": "govcloud.reconciliation.models.DiscrepancyKind",
        "DiscrepancyStateEnum": "govcloud.reconciliation.models.DiscrepancyState",
        "ReconciliationRunStatusEnum": "govcloud.reconciliation.models.RunStatus",
        "StatementStateEnum": "govcloud.billing.models.StatementState",
        "MaintenanceWindowKindEnum": "govcloud.maintenance.models.WindowKind",
        "AlertKindEnum": "govcloud.monitoring.models.AlertKind",
        # Alerts and survey rounds are both open or closed: drf-spectacular names a set of values
        # once, so the two share one enum.
        "OpenClosedEnum": "govcloud.monitoring.models.AlertState",
        "AssessmentStateEnum": "govcloud.assessment.models.AssessmentState",
        "AssessmentDimensionEnum": "govcloud.assessment.models.Dimension",
        "CatalogDimensionEnum": "govcloud.catalog.models.Dimension",
        "MaintenanceWindowStateEnum": "govcloud.maintenance.models.WindowState",
        "MaintenanceEventKindEnum": "govcloud.maintenance.models.WindowEventKind",
        "MetricEnum": "govcloud.monitoring.models.Metric",
        "RejectReasonEnum": "govcloud.monitoring.models.RejectReason",
        "PeriodEnum": "govcloud.monitoring.models.Period",
        "ReportPeriodEnum": "govcloud.reports.models.ReportPeriod",
        "UsageFlagEnum": "govcloud.reports.models.UsageFlag",
        "PoolKindEnum": "govcloud.reports.models.PoolKind",
        "ProviderReportKindEnum": "govcloud.reports.models.ProviderReportKind",
        "ProviderReportStateEnum": "govcloud.reports.models.ProviderReportState",
        "ProviderReportActionEnum": "govcloud.reports.models.ProviderReportAction",
        "AdviceStateEnum": "govcloud.waste.models.AdviceState",
        "ExpiryStateEnum": "govcloud.waste.models.ExpiryState",
        "ImportStateEnum": "govcloud.monitoring.models.ImportState",
    },
}

# --- Logging ------------------------------------------------------------------------------------
# LOG_FORMAT "json" (the default in production): one JSON object a line, for a log collector; "text"
# (the default with DEBUG on): readable lines. Both carry the request id that the request's audit
# events and its X-Request-ID header carry (govcloud.observability.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "govcloud.observability.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "govcloud.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Monitoring GovCloud itself -----------------------------------------------------------------
# /metrics (Prometheus format) answers only scrapes from these networks (CIDR, comma-separated;
# empty: any address) carrying this bearer token (or "token" in the section "metrics" of
# GOVCLOUD_SECRETS_FILE). With neither set it answers 404 to everyone. Behind a proxy the client
# address is the one TRUSTED_PROXY_COUNT designates.
METRICS_TOKEN = env.str("GOVCLOUD_METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("GOVCLOUD_METRICS_ALLOWED_NETWORKS", default=[])

# --- GovCloud -----------------------------------------------------------------------------------
GOVCLOUD_SITE_NAME = _("GovCloud")
# Days an API token may live at most; the UI offers shorter ones.
API_TOKEN_MAX_DAYS = 365
# A job result file is kept this long before the cleanup sweep removes it.
JOB_RESULT_RETENTION = timedelta(days=7)
