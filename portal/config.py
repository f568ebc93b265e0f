"""Settings read from the environment; the README lists every variable."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from portal.security import parse_origins

#: The interface languages the portal is built for (catalogs live in translations/).
LOCALES = ("en", "fr", "es", "ar", "pt")


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def persistent_secret_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, generating it on first use."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


def settings_from_environment(instance_path: Path) -> dict:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portal.db'}"
    return {
        # When absent, create_app reads (or creates) the key kept in the instance folder.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        #: "threading" (gunicorn threads) or "gevent" (gunicorn -k gevent): docs/serving.md.
        "SOCKETIO_ASYNC_MODE": os.environ.get("SOCKETIO_ASYNC_MODE", "threading"),
        # Mail: without SMTP_HOST, messages are written to the log instead of sent.
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "starttls"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Red Talks portal <no-reply@localhost>"),
        #: The domain of Message-IDs; by default SERVER_NAME's host, else MAIL_FROM's domain.
        "MAIL_MESSAGE_ID_DOMAIN": os.environ.get("MAIL_MESSAGE_ID_DOMAIN") or None,
        #: The mail worker (flask send-mail): how often it looks for mail to send, in seconds.
        "MAIL_POLL_SECONDS": float(os.environ.get("MAIL_POLL_SECONDS", "2")),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Failed sign-ins allowed in the window from one network address. A venue's Wi-Fi
        # puts a whole room behind one address, so this is higher than the per-e-mail limit.
        "SIGN_IN_FAILURES_PER_ADDRESS": int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", "30")),
        # The origins the portal is reached at, when not the one each request was sent to
        # (a proxy that rewrites the host): pages and live connections from these only.
        "PUBLIC_ORIGINS": parse_origins(os.environ.get("PUBLIC_ORIGINS", "")),
        "RATE_LIMITS": _flag("RATE_LIMITS", default=True),
        **{name: os.environ.get(name, default) for name, default in RATE_LIMIT_DEFAULTS.items()},
        "SOCKET_EVENTS_PER_SECOND": float(os.environ.get("SOCKET_EVENTS_PER_SECOND", "5")),
        "SOCKET_EVENT_BURST": int(os.environ.get("SOCKET_EVENT_BURST", "30")),
        # LibreOffice, which makes the outcome documents' PDFs: a command on the PATH or a
        # path; empty, no PDF is made.
        "LIBREOFFICE": os.environ.get("LIBREOFFICE", "soffice"),
        "OUTCOME_PDF_TIMEOUT": int(os.environ.get("OUTCOME_PDF_TIMEOUT", "120")),
        # Password hashes (portal/accounts/passwords.py): threads per process (0: one per
        # core), checks allowed to wait before "busy, try again", and the threads' niceness.
        "PASSWORD_HASH_THREADS": int(os.environ.get("PASSWORD_HASH_THREADS", "0")),
        "PASSWORD_HASH_QUEUE": int(os.environ.get("PASSWORD_HASH_QUEUE", "2000")),
        "PASSWORD_HASH_NICENESS": int(os.environ.get("PASSWORD_HASH_NICENESS", "10")),
        # Database connections per process, and seconds a request waits for one before it is
        # answered "busy, try again" (docs/deployment.md: sizing PostgreSQL).
        "DATABASE_POOL_SIZE": int(os.environ.get("DATABASE_POOL_SIZE", "10")),
        "DATABASE_MAX_OVERFLOW": int(os.environ.get("DATABASE_MAX_OVERFLOW", "10")),
        "DATABASE_POOL_TIMEOUT": int(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
        # Organisations' identity providers people may sign in through (OpenID Connect): a
        # JSON list, docs/deployment.md ("Single sign-on").
        "OIDC_PROVIDERS": _openid_providers(os.environ.get("OIDC_PROVIDERS")),
    }


def engine_options(config: dict) -> dict:
    """SQLAlchemy's engine options: the connection pool sized by the settings (an SQLite
    database in memory keeps SQLAlchemy's own single-connection pool). A connection to a
    database server is tested before each use (the server may have closed it); a file has
    no server that could, and the test would cost a query on every page."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    options = {"pool_pre_ping": not url.startswith("sqlite"),
               **config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if url.startswith("sqlite") and (url in ("sqlite://", "sqlite:///:memory:")
                                     or "mode=memory" in url):
        return options
    return {"pool_size": config["DATABASE_POOL_SIZE"],
            "max_overflow": config["DATABASE_MAX_OVERFLOW"],
            "pool_timeout": config["DATABASE_POOL_TIMEOUT"], **options}


def _openid_providers(text: str | None) -> list[dict]:
    from portal.accounts.openid import parse_providers

    return parse_providers(text)


#: Requests per signed-in person, or per network address for visitors, on each kind of form
#: (Flask-Limiter's notation; several limits separated by ";"). A venue's Wi-Fi puts a whole
#: room behind one address, so the limits for visitors allow a room signing in at once.
RATE_LIMIT_DEFAULTS = {
    "RATE_LIMIT_SIGN_IN": "120 per minute; 1000 per hour",
    "RATE_LIMIT_SIGN_UP": "60 per minute; 500 per hour",
    "RATE_LIMIT_SIGN_UP_PER_EMAIL": "5 per hour",
    "RATE_LIMIT_SIGN_IN_LINK": "30 per minute; 200 per hour",
    "RATE_LIMIT_SIGN_IN_LINK_PER_EMAIL": "5 per hour",
    # Rate limits on the password reset form, not passwords (bandit B105).
    "RATE_LIMIT_PASSWORD_RESET": "30 per minute; 200 per hour",  # nosec B105
    "RATE_LIMIT_PASSWORD_RESET_PER_EMAIL": "5 per hour",  # nosec B105
    "RATE_LIMIT_REGISTRATION": "10 per minute",
    "RATE_LIMIT_COMMENTS": "10 per minute; 200 per hour",
    "RATE_LIMIT_AMENDMENTS": "10 per minute; 100 per hour",
    "RATE_LIMIT_WRITES": "60 per minute",
}


#: The portal's package folder.
_PORTAL = Path(__file__).resolve().parent

#: Defaults that do not depend on the environment.
DEFAULTS = {
    #: The CSS, JavaScript and images served under /static (portal/static_files.py), and
    #: their hashed, compressed copies built by scripts/build-assets.mjs (make setup).
    "STATIC_FOLDER": str(_PORTAL / "static"),
    "STATIC_BUILD_FOLDER": str(_PORTAL / "static-build"),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    #: A signed-in session lasts a consultation day and its night after the last page seen
    #: (portal/accounts/sessions.py); "Remember me" keeps it for a year.
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=36),
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    #: More options for SQLAlchemy's engine (``engine_options`` adds the pool's sizes).
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    #: Failed sign-ins for one account from one network address before each further
    #: attempt from there waits: 1 minute, then 2, 4, 8... up to SIGN_IN_LONGEST_DELAY_MINUTES.
    "SIGN_IN_FAILURES_BEFORE_DELAY": 5,
    "SIGN_IN_LONGEST_DELAY_MINUTES": 60,
    #: How long a failure counts towards that delay (a success from the address clears it).
    "SIGN_IN_FAILURE_MEMORY_HOURS": 24,
    #: The window of SIGN_IN_FAILURES_PER_ADDRESS.
    "SIGN_IN_WINDOW_MINUTES": 15,
    #: Life of an e-mailed sign-in link, and of a sign-up's confirmation link (durations).
    "SIGN_IN_LINK_MAX_AGE_SECONDS": 15 * 60,
    "SIGN_UP_CONFIRMATION_MAX_AGE_SECONDS": 24 * 3600,
    #: The mail worker (portal/mail/sending.py): messages per SMTP connection, seconds an
    #: SMTP server may take to answer, attempts before giving up, and the delay after a first
    #: failed attempt (doubled after each further one, up to the longest).
    "MAIL_BATCH_SIZE": 50,
    "SMTP_TIMEOUT": 30,
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_SECONDS": 60,
    "MAIL_LONGEST_RETRY_SECONDS": 3600,
    #: A duration, not a password (bandit B105).
    "PASSWORD_RESET_MAX_AGE_SECONDS": 3600,  # nosec B105
    #: Push coalesced tallies from a background task (the suite pushes them by hand).
    "TALLY_PUBLISHER": True,
    #: Check who may still follow their rooms from a background task (the suite checks by
    #: hand, portal.live.followers_check.flush).
    "FOLLOWERS_CHECK_TASK": True,
    #: Store the votes of live connections in batches from a background task (the suite
    #: stores them in the event's own transaction, inside each test's).
    "BALLOT_BOX": True,
    #: Largest Socket.IO message (or polling request) accepted, in bytes; a vote with the
    #: longest reservation takes about 8 kB.
    "SOCKETIO_MAX_HTTP_BUFFER_SIZE": 64 * 1024,
    #: The server pings each connection every SOCKETIO_PING_INTERVAL seconds and drops it when
    #: no answer came within SOCKETIO_PING_TIMEOUT. Venue Wi-Fi loses a phone's packets for
    #: seconds at a time and a server admitting a crowd may answer late: 40 s, twice
    #: python-socketio's default, keeps such a phone in the room, and a phone gone for good is
    #: known to be gone within 65 s (docs/live-protocol.md).
    "SOCKETIO_PING_INTERVAL": 25,
    "SOCKETIO_PING_TIMEOUT": 40,
    #: Rate limits are counted in Redis when REDIS_URL is set; if Redis fails, in memory.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "limits",
}
