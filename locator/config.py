"""Configuration from `LOCATOR_*` environment variables, with defaults that work on a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


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


def load(instance_path: str, testing: bool = False) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = os.environ.get("LOCATOR_ENV", "development") == "production"
    return {
        "LOCATOR_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance, production),
        "DATABASE_URL": os.environ.get(
            "LOCATOR_DATABASE_URL", f"sqlite:///{instance / 'locator.db'}"
        ),
        "INDEX_DIR": os.environ.get("LOCATOR_INDEX_DIR", str(instance / "index")),
        # Uploaded logos (services/logos.py): one folder every web node can read.
        "LOGO_DIR": os.environ.get("LOCATOR_LOGO_DIR", str(instance / "logos")),
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,  # bytes a request may send (logos: 1 MB)
        # Each web process applies the index queue and refreshes its searcher (tests apply
        # the queue themselves; `locator` commands other than `run` turn it off).
        "INDEX_WORKER": not testing,
        "INDEX_POLL_SECONDS": float(os.environ.get("LOCATOR_INDEX_POLL_SECONDS") or 0.5),
        "REDIS_URL": os.environ.get("LOCATOR_REDIS_URL") or None,  # rate limits; else per process
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "locator",
        # How many proxies (load balancers) in front of the app append to X-Forwarded-For; 0
        # trusts no such header, as a client can write anything in it.
        "PROXY_HOPS": int(os.environ.get("LOCATOR_PROXY_HOPS") or 0),
        "BASE_URL": os.environ.get("LOCATOR_BASE_URL", "http://127.0.0.1:5000"),
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
