"""Django settings: everything comes from environment variables (see playground/config.py and README)."""

from __future__ import annotations

import os
from pathlib import Path

from playground.config import BASE_DIR, HOME, REDIS_URL, database, env_bool, secret_key

SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "playground.runs",
    "playground.blocks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "playground.urls"
ASGI_APPLICATION = "playground.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "playground" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": database(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [{"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"}]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
FRONTEND_BUILD = BASE_DIR / "playground" / "static_build"  # `npm run build` writes the browser app here
FRONTEND_BUILD.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [FRONTEND_BUILD]  # Vite's base is /static/: its assets are served as static files

# Pub/sub: one PUBLISH per batch of events, and each daphne process subscribes once per run and fans out to its
# own websockets, so 100 viewers of 20 runs cost Redis 20 messages per batch, not 100. Delivery is at most once;
# the history in the database fills any gap (see playground/runs/consumers.py).
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("PLAYGROUND_CHANNEL_PREFIX", "playground")},
    }
}

# Celery: the Run row owns the lifecycle; the broker only carries "run this id on that slot".
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1  # a fresh process per run frees all GPU memory
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 7 * 24 * 3600}  # above the longest run
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True

PLAYGROUND = {
    "CHECKPOINT_DIR": HOME / "checkpoints",
    "HEARTBEAT_S": float(os.environ.get("PLAYGROUND_HEARTBEAT_S", "2")),
    "HEARTBEAT_TIMEOUT_S": float(os.environ.get("PLAYGROUND_HEARTBEAT_TIMEOUT_S", "15")),
    "CONTROL_POLL_S": 0.25,  # how often a running job reads its Run row's cancel/pause/lr flags
    "CHECKPOINT_EVERY_STEPS": int(os.environ.get("PLAYGROUND_CHECKPOINT_EVERY_STEPS", "500")),
    "MAX_ATTEMPTS": int(os.environ.get("PLAYGROUND_MAX_ATTEMPTS", "3")),  # starts of a run whose worker died
    # Data sets read from files (calo): the browser lists and picks directories under this root, never beyond it.
    "DATA_ROOT": Path(os.environ.get("PLAYGROUND_DATA_ROOT", BASE_DIR / "data")).resolve(),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
