"""Settings for the test suite: production settings (DEBUG off), with test keys, inline tasks and a
temporary data folder. DATABASE_URL still chooses the database (SQLite by default, PostgreSQL in
the CI's second run)."""

import os
import tempfile

# Production-like whatever a developer's .env says.
os.environ["GOVCLOUD_DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "test-secret-key-for-the-govcloud-suite-0123456789-abcdefghijklmnop")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "0f1e2d3c4b5a69788796a5b4c3d2e1f0")
os.environ.setdefault("AUDIT_SIGNING_KEY", "test-audit-signing-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("GOVCLOUD_DATA_DIR", tempfile.mkdtemp(prefix="govcloud-test-"))
# Parallel test processes (pytest -n) inherit the folder: each keeps its files (uploads, exports,
# the SQLite test database) in a sub-folder of its own, so no test sees another's files.
if os.environ.get("PYTEST_XDIST_WORKER"):
    _worker_dir = os.path.join(os.environ["GOVCLOUD_DATA_DIR"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(_worker_dir, exist_ok=True)
    os.environ["GOVCLOUD_DATA_DIR"] = _worker_dir

from govcloud.settings import *  # noqa: F403
from govcloud.settings import ALLOWED_HOSTS, STORAGES

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Argon2 is what production uses (a test checks it); the suite hashes thousands of passwords.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A file, not the in-memory database: shared-cache memory databases lock whole tables and ignore
# the busy timeout, so concurrency tests would fail for a reason production (a WAL file) never has.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["GOVCLOUD_DATA_DIR"], "test.sqlite3")}  # noqa: F405

STATIC_ROOT = os.path.join(os.environ["GOVCLOUD_DATA_DIR"], "static")
os.makedirs(STATIC_ROOT, exist_ok=True)

# Parallel processes and Redis: every test starts with cache.clear(), which empties the cache's
# whole Redis database, and the Redis tests start real workers that take any job on their queue. So
# each test process gets two Redis databases of its own, counted down from REDIS_URL's: gw0 keeps
# REDIS_URL's for its queues and the next one down for its cache, gw1 the two below, and so on.
# REDIS_URL is rewritten in the environment too, because the tests hand it to the worker processes
# they start. (pytest-xdist's --dist loadgroup could have kept the Redis tests in one process, but
# with pytest 9.2 it groups nothing: it renames items through an attribute pytest no longer reads.)
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):  # noqa: F405
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(REDIS_URL)  # noqa: F405
    _base_db = int(_url.path.strip("/") or 0)
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    _queue_db = (_base_db - 2 * _worker) % 16
    _cache_db = (_queue_db - 1) % 16
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_queue_db}"))
    os.environ["REDIS_URL"] = REDIS_URL
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": urlunsplit(_url._replace(path=f"/{_cache_db}")),
        }
    }
