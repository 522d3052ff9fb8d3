"""Rate limits on the forms people could abuse (signing in, registering, subscribing).

Counts live in Redis when `LOCATOR_REDIS_URL` is set, so every worker and node shares them; in
the embedded default they are per process, which is enough for one small server. Each app gets
its own limiter (in `app.extensions`), built on the `limits` library.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, current_app, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

SIGN_IN = "10 per minute; 100 per day"
REGISTER = "5 per minute; 50 per day"
SUBSCRIBE = "5 per minute; 50 per day"


def init_app(app: Flask) -> None:
    storage = storage_from_string(app.config.get("REDIS_URL") or "memory://")
    app.extensions["locator.limiter"] = FixedWindowRateLimiter(storage)


def limited(limits: str, methods: tuple[str, ...] = ("POST",)):
    """Refuse with 429 once the client's address has used up any of `limits` for this view."""
    parsed = parse_many(limits)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method in methods and current_app.config["RATELIMIT_ENABLED"]:
                limiter = current_app.extensions["locator.limiter"]
                key = (
                    current_app.config["RATELIMIT_KEY_PREFIX"],
                    request.endpoint,
                    request.remote_addr or "unknown",
                )
                if not all([limiter.hit(item, *key) for item in parsed]):
                    abort(429)
            return view(*args, **kwargs)

        return wrapped

    return decorator
