"""ENVIRONET settings: read from the environment only (see README, "Configuration")."""

import base64
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from environet import database_pool, env, keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.text("ENVIRONET_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.flag("ENVIRONET_DEBUG")
TESTING = env.flag("ENVIRONET_TESTING")

SECRET_KEY = env.text("ENVIRONET_SECRET_KEY")
if not SECRET_KEY and (DEBUG or TESTING):
    # A fixed key only for development and tests; production refuses to start without one.
    SECRET_KEY = "development-only-key-" + "x" * 40
SECRET_KEY_FALLBACKS = env.listing("ENVIRONET_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env.listing("ENVIRONET_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
SITE_URL = env.text("ENVIRONET_SITE_URL") or (
    f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS and not DEBUG else f"http://127.0.0.1:{env.text('PORT', '8000')}"
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "environet.apps.EnvironetConfig",
    "accounts",
    "audit",
    "topics",
    "messaging",
    "reference",
    "seizures",
    "library",
    "network",
    "assistance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, compressed (see "Static files" below); answered here, before anything else runs.
    "environet.middleware.StaticFilesMiddleware",
    # Pages and other text gzipped, streams left alone. Above every middleware that reads or changes the body.
    "environet.middleware.CompressionMiddleware",
    "environet.middleware.ClientAddressMiddleware",
    # Django's, except that a page that only reads is not failed by a session it cannot save (storage full).
    "environet.storage.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "environet.auth.SignInRequiredMiddleware",
    # Before the session limits, which tell the person why they were signed out.
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.PersonPreferencesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "environet.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "environet.urls"
ASGI_APPLICATION = "environet.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "messaging.context_processors.live",
            ],
        },
    },
]

# --- Storage -------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env.text("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'environet.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN, so
    # two writers queue instead of failing half-way (the audit chain relies on this).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # One test database per test run, so two runs on one machine (two terminals, two checkouts sharing
    # var/) do not lock each other out; each run removes its own when it ends.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.flag("ENVIRONET_DB_POOL", True):
    # Under ASGI each request runs in a thread of its own, so a connection cannot be kept by its thread
    # (CONN_MAX_AGE); without a pool every page opened one, a new server process: 3-10 ms of each page. Each
    # process keeps a few open and lends them out; a request finding all of them lent waits for one. Each is
    # checked as it is lent (one round trip), so that none left broken by a database restart fails a request.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.number("ENVIRONET_DB_POOL_MIN", 2),
        "max_size": env.number("ENVIRONET_DB_POOL_MAX", 20),
        "timeout": env.number("ENVIRONET_DB_POOL_WAIT_SECONDS", 10),
        # After a database restart, the first connection found dead has every idle one tested at once.
        "check": database_pool.check_lent_connection,
    }
    # Kept connections keep what they prepared: the statements compiled once (environet/compiled.py ``fetch``)
    # are then planned once per connection too. Django's own statements carry their values written in, and are
    # never prepared.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Reference tables loaded from official releases (manage.py import_reference); they take precedence over the
# shipped files in reference/data/ (see reference/tables.py).
REFERENCE_DIR = Path(env.text("ENVIRONET_REFERENCE_DIR", str(VAR_DIR / "reference")))

# Attachments: encrypted files (see messaging/attachments.py), kept apart from the database.
ATTACHMENTS_DIR = Path(env.text("ENVIRONET_ATTACHMENTS_DIR", str(VAR_DIR / "attachments")))
MAX_ATTACHMENT_MB = env.number("ENVIRONET_MAX_ATTACHMENT_MB", 25)
MAX_ATTACHMENT_BYTES = MAX_ATTACHMENT_MB * 1024 * 1024
MAX_ATTACHMENTS_PER_MESSAGE = 10
# Processes that read a long PDF's later pages beside the task worker (library/pdf_helpers.py): one fewer than
# the cores, at most three; 0 reads every page in the worker.
LIBRARY_PDF_HELPERS = env.number("ENVIRONET_PDF_HELPERS", min(3, max(0, (os.cpu_count() or 1) - 1)))
# See environet/uploads.py. The largest request body, refused with 413 before it is read; by default room
# for every attachment at full size and the form.
MAX_REQUEST_BYTES = (
    env.number("ENVIRONET_MAX_REQUEST_MB", MAX_ATTACHMENT_MB * MAX_ATTACHMENTS_PER_MESSAGE + 3) * 1024 * 1024
)
# One file field per form: Django stops at the first file past this, before reading it.
DATA_UPLOAD_MAX_NUMBER_FILES = MAX_ATTACHMENTS_PER_MESSAGE
# The request body, then each file, waits in memory up to this size, then on disk encrypted under a key
# that only the memory holds (never a plaintext temporary file). Each file keeps at most
# MAX_ATTACHMENT_BYTES and only counts the rest, so the form can say how large a refused file was.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_HANDLERS = ["environet.uploads.BoundedSealedUploadHandler"]
# The form fields besides the files (the message itself is at most 20,000 characters).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REDIS_URL = env.text("REDIS_URL")
# Redis pub/sub channels are shared by every database of a Redis server: deployments (or test runs)
# sharing one Redis need a channel each.
LIVE_CHANNEL = env.text("ENVIRONET_LIVE_CHANNEL", "environet:events")
# Comment lines on a quiet stream, so proxies do not close it.
LIVE_HEARTBEAT_SECONDS = env.number("ENVIRONET_LIVE_HEARTBEAT_SECONDS", 15)
# Without Redis, each server process also follows the event table at this interval while it has open
# streams (one query for all of them), so events written by another process (the task worker) arrive.
LIVE_POLL_SECONDS = env.number("ENVIRONET_LIVE_POLL_SECONDS", 1)
# Live streams one process holds before it answers 503 (0: what the open-file limit allows, environet/limits.py).
LIVE_MAX_STREAMS = env.number("ENVIRONET_MAX_STREAMS", 0)

# Related seizure records (seizures/correlation.py): flights and species on a route relate records this
# many days apart at most; a value held by more than this many other records is too common to link.
SEIZURE_WINDOW_DAYS = env.number("ENVIRONET_SEIZURE_WINDOW_DAYS", 90)
SEIZURE_COMMON_LIMIT = env.number("ENVIRONET_SEIZURE_COMMON_LIMIT", 20)
# Saving persons or companies involved (a new record naming someone, a change of the names of one) is how
# names would be guessed at: at most this many such saves an hour per person (0: no limit).
SEIZURE_NOMINAL_SAVES_PER_HOUR = env.number("ENVIRONET_SEIZURE_NOMINAL_SAVES_PER_HOUR", 20)
# An import waiting for its officer (a choice on rows with problems, or what some columns hold) expires after
# this many days: its file is deleted and nothing of it is saved (seizures.import_jobs.expire_waiting).
IMPORT_WAIT_DAYS = env.number("ENVIRONET_IMPORT_WAIT_DAYS", 14)

# The expert directory is for members, focal points and administrators; observers see it only if this is on.
ENVIRONET_OBSERVERS_SEE_EXPERTS = env.flag("ENVIRONET_OBSERVERS_SEE_EXPERTS")

TASKS = {
    "default": {
        "BACKEND": env.text("ENVIRONET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- People and sign-in --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.Person"
# Passwords are checked by Django's ModelBackend; the person of a session is read with their organisation by
# accounts.backends.SignedInPerson, which sign-in names in the sessions it makes.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "accounts.backends.SignedInPerson"]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "home"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.passwords.MaximumLengthValidator"},
    # Django's list of 20,000 passwords most common in published breaches.
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
BREACHED_PASSWORDS_FILE = env.text("ENVIRONET_BREACHED_PASSWORDS_FILE")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_SECONDS = env.number("ENVIRONET_SESSION_IDLE_MINUTES", 30) * 60
SESSION_MAX_SECONDS = env.number("ENVIRONET_SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CONFIRMATION_SECONDS = 10 * 60
INVITATION_DAYS = env.number("ENVIRONET_INVITATION_DAYS", 7)
TRUSTED_PROXIES = env.listing("ENVIRONET_TRUSTED_PROXIES")


# --- Encryption at rest --------------------------------------------------------------------------
def _master_keys() -> list[bytes]:
    raw = [env.text("ENVIRONET_ENCRYPTION_KEY"), *env.listing("ENVIRONET_ENCRYPTION_KEY_FALLBACKS")]
    keys = []
    for item in raw:
        if item:
            try:
                keys.append(base64.urlsafe_b64decode(item + "=" * (-len(item) % 4)))
            except ValueError:
                keys.append(b"")  # reported by the system check, which names the problem
    if not keys:
        # With no key configured, one is made once in the data folder (readable by its owner only), so a
        # first installation works with the three settings the README names. Deployments that keep the
        # database elsewhere should pass ENVIRONET_ENCRYPTION_KEY(_FILE) from their secret store instead.
        keys.append(_key_from_file(VAR_DIR / "encryption.key"))
    return keys


def _key_from_file(path: Path) -> bytes:
    """Without a configured key, ENVIRONET keeps one in the data folder, made on first start. Keep that
    file backed up apart from the database: either alone reveals nothing encrypted."""
    if not path.exists() and keys.holds_sealed_data(_embedded_database(), ATTACHMENTS_DIR):
        # A new key would open none of it: a restore without the key, or the key deleted by mistake.
        raise ImproperlyConfigured(
            f"{path} is missing, but the data folder holds data encrypted with it. ENVIRONET will not make a "
            "new key, which would open none of it: put the backed-up key back at that path, or set "
            "ENVIRONET_ENCRYPTION_KEY (or ENVIRONET_ENCRYPTION_KEY_FILE). To start afresh instead, remove the "
            "database and the attachments folder too."
        )
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # made earlier, or just now by another process
    else:
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(base64.urlsafe_b64encode(os.urandom(32)).decode())
    text = path.read_text().strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _embedded_database() -> Path | None:
    settings = DATABASES["default"]
    return Path(settings["NAME"]) if settings["ENGINE"] == "django.db.backends.sqlite3" else None


ENCRYPTION_KEYS = _master_keys()

# --- Security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.flag("ENVIRONET_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.number("ENVIRONET_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if TRUSTED_PROXIES:
    # Only a configured proxy may tell us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env.listing("ENVIRONET_CSRF_TRUSTED_ORIGINS")

# --- Mail -------------------------------------------------------------------------------------------
_EMAIL_HOST = env.text("ENVIRONET_EMAIL_HOST")
DEFAULT_FROM_EMAIL = env.text("ENVIRONET_EMAIL_FROM", "ENVIRONET <no-reply@environet.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# In development without a mail server, messages are printed to the console; in production the default
# is the machine's own mail relay (localhost:25), the usual set-up on a server.
if _EMAIL_HOST or not (DEBUG or TESTING):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _EMAIL_HOST or "localhost",
                "port": env.number("ENVIRONET_EMAIL_PORT", 587 if _EMAIL_HOST else 25),
                "username": env.text("ENVIRONET_EMAIL_USER"),
                "password": env.text("ENVIRONET_EMAIL_PASSWORD"),
                "use_tls": env.flag("ENVIRONET_EMAIL_USE_TLS", bool(_EMAIL_HOST)),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Languages and time -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["environet.formats"]  # date fields in ISO, as browsers take them, in every language
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------------
STATIC_URL = "static/"
# Where `collectstatic` writes, for the web server in front to serve (deploy/nginx/environet.conf).
STATIC_ROOT = Path(env.text("ENVIRONET_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic writes each file under a name with its content's hash (cached for ever by browsers) and a
# gzip copy beside it, which WhiteNoise sends to browsers that accept it. Production serves only what
# collectstatic wrote, so it must run after every upgrade (README, "Deploying"). Development serves the
# collected copy while it is current, else the source (environet.middleware.StaticFilesMiddleware);
# `make run` collects at start. The tests serve the source, under its own name.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A message repeated in a loop is let through 10 times a minute, then counted (environet/logs.py).
    "filters": {"rate_limit": {"()": "environet.logs.RateLimit"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["rate_limit"]}},
    "loggers": {"uvicorn.error": {"filters": ["rate_limit"]}},
    "root": {"handlers": ["console"], "level": env.text("ENVIRONET_LOG_LEVEL", "INFO")},
}
