"""Configuration from `LOCATOR_*` environment variables, with defaults that work on a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """Raised at start-up when the environment is unsafe or incomplete."""


def _secret_key(instance: Path, production: bool) -> str:
    key = os.environ.get("LOCATOR_SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError(
            "LOCATOR_SECRET_KEY must be set when LOCATOR_ENV=production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    # Development: generate once and keep it, so sessions survive restarts.
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


_YES = ("1", "true", "yes", "on")

DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # bytes in one request: forms are far smaller
HSTS = "max-age=31536000; includeSubDomains"  # a year; only ever sent outside development


def _base_url(production: bool) -> str:
    """The site's public address. Production builds every absolute link from it (never from the
    request's Host header), so it must be given there."""
    url = os.environ.get("LOCATOR_BASE_URL", "").strip()
    if not url:
        if production:
            raise ConfigError(
                "LOCATOR_BASE_URL must be set when LOCATOR_ENV=production (the site's public "
                "address, e.g. https://suppliers.example.gov.uk): links in e-mails, the feed and "
                "the API are built from it, and requests for any other host are refused."
            )
        return DEVELOPMENT_BASE_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"LOCATOR_BASE_URL must be an http(s) address, not “{url}”")
    return url.rstrip("/")


def _trusted_hosts(production: bool, base_url: str) -> list[str] | None:
    """Host names requests may be for (Flask's TRUSTED_HOSTS; a leading dot allows subdomains).
    Production defaults to the host of LOCATOR_BASE_URL; development accepts any host unless
    LOCATOR_TRUSTED_HOSTS says otherwise."""
    own = urlsplit(base_url).hostname
    given = os.environ.get("LOCATOR_TRUSTED_HOSTS", "")
    hosts = [host.strip().lower() for host in given.split(",") if host.strip()]
    if hosts:
        return hosts if own in hosts else [own, *hosts]  # the site's own address always works
    return [own] if production else None


def _max_content_length() -> int:
    raw = os.environ.get("LOCATOR_MAX_CONTENT_LENGTH", "").strip()
    if not raw:
        return MAX_CONTENT_LENGTH
    if not raw.isdigit() or int(raw) < 1024:
        raise ConfigError(
            f"LOCATOR_MAX_CONTENT_LENGTH must be a number of bytes (at least 1024), not “{raw}”"
        )
    return int(raw)


def load(instance_path: str, testing: bool = False) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = os.environ.get("LOCATOR_ENV", "development") == "production"
    secret_key = _secret_key(instance, production)
    base_url = _base_url(production)
    max_content_length = _max_content_length()
    return {
        "LOCATOR_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "DATABASE_URL": os.environ.get(
            "LOCATOR_DATABASE_URL", f"sqlite:///{instance / 'locator.db'}"
        ),
        "INDEX_DIR": os.environ.get("LOCATOR_INDEX_DIR", str(instance / "index")),
        # Uploaded logos (services/logos.py): one folder every web node can read.
        "LOGO_DIR": os.environ.get("LOCATOR_LOGO_DIR", str(instance / "logos")),
        # This node's name in the database's registry of index cursors (queue pruning); unset,
        # "<host name>:<INDEX_DIR>" (`search_runtime.node_name`).
        "NODE_NAME": os.environ.get("LOCATOR_NODE_NAME") or None,
        # A node unseen this long is dropped from the registry and rebuilds its index.
        "NODE_EXPIRY_HOURS": float(os.environ.get("LOCATOR_NODE_EXPIRY_HOURS") or 24),
        # Each web process applies the index queue and refreshes its searcher (tests apply
        # the queue themselves; `locator` commands other than `run` turn it off).
        "INDEX_WORKER": not testing,
        "INDEX_POLL_SECONDS": float(os.environ.get("LOCATOR_INDEX_POLL_SECONDS") or 0.5),
        # An index idle this long with many segments or deletions is merged into one segment.
        "INDEX_OPTIMIZE_IDLE_SECONDS": float(
            os.environ.get("LOCATOR_INDEX_OPTIMIZE_IDLE_SECONDS") or 300
        ),
        # /healthz says "not ready" while the oldest unapplied change has waited longer.
        "INDEX_MAX_LAG_SECONDS": float(os.environ.get("LOCATOR_INDEX_MAX_LAG_SECONDS") or 600),
        # Connecting to (and, on PostgreSQL, hearing from) the database: past this, a request
        # fails with a 503 page instead of hanging.
        "DATABASE_TIMEOUT_SECONDS": int(os.environ.get("LOCATOR_DATABASE_TIMEOUT_SECONDS") or 3),
        "REDIS_URL": os.environ.get("LOCATOR_REDIS_URL") or None,  # rate limits; else per process
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "locator",
        # How many proxies (load balancers) in front of the app append to X-Forwarded-For; 0
        # trusts no such header, as a client can write anything in it.
        "PROXY_HOPS": int(os.environ.get("LOCATOR_PROXY_HOPS") or 0),
        # A sign-in lasts this long, however active (ASVS 3.3.2), then asks for the password.
        "SESSION_HOURS": float(os.environ.get("LOCATOR_SESSION_HOURS") or 12),
        # Absolute links (e-mails, feed, API) in production, and where there is no request.
        "BASE_URL": base_url,
        # Requests for any other host get 400 (Flask checks it; None accepts any host).
        "TRUSTED_HOSTS": _trusted_hosts(production, base_url),
        # Larger requests get 413 before anything reads them (a logo, up to 1 MB, fits); a single
        # form field may be as large.
        "MAX_CONTENT_LENGTH": max_content_length,
        "MAX_FORM_MEMORY_SIZE": max_content_length,
        # Strict-Transport-Security, on every response outside development (None: not sent).
        "HSTS": HSTS if production else None,
        "SMTP_HOST": os.environ.get("LOCATOR_SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("LOCATOR_SMTP_PORT") or 25),
        "SMTP_USERNAME": os.environ.get("LOCATOR_SMTP_USERNAME") or None,
        "SMTP_PASSWORD": os.environ.get("LOCATOR_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": os.environ.get("LOCATOR_SMTP_STARTTLS", "").lower()
        in ("1", "true", "yes"),
        "MAIL_FROM": os.environ.get("LOCATOR_MAIL_FROM", "Supplier Locator <noreply@localhost>"),
        "MAIL_OUTBOX": str(instance / "mail"),
        # Where "give your feedback" leads: a mailto link to the team that runs this copy.
        "FEEDBACK_EMAIL": os.environ.get("LOCATOR_FEEDBACK_EMAIL") or None,
        # The CPV finder (services page and /api/v1/cpv): query length and results per answer.
        "CPV_QUERY_MIN_CHARS": 2,
        "CPV_QUERY_MAX_CHARS": 100,
        "CPV_RESULTS": 20,
        "CPV_RESULTS_MAX": 50,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
    }
