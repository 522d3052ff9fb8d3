"""Rate limits on the forms people could abuse (signing in, registering, subscribing), and on the
e-mails the service sends to an address (`email_allowed`), whoever asks for them.

Counts live in Redis when `LOCATOR_REDIS_URL` is set, so every worker and node shares them; in
the embedded default they are per process, which is enough for one small server. Each app gets
its own limiter (in `app.extensions`), built on the `limits` library.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from flask import Flask, abort, current_app, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

SIGN_IN = "10 per minute; 100 per day"
REGISTER = "5 per minute; 50 per day"
SUBSCRIBE = "5 per minute; 50 per day"
# E-mails asking someone to confirm something, to any one recipient (per the address, not the
# asker: otherwise many senders could flood one inbox). Shortest window first.
CONFIRMATION_EMAILS = "1 per 10 minutes; 3 per day"


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


def _mailbox(address: str) -> str:
    """The mailbox an address delivers to, so that variants count as one: case, a `+tag` (most
    providers deliver name+anything@ to name@) and, at Gmail, dots in the name."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_allowed(
    recipient: str, kind: str = "confirmation", limits: str = CONFIRMATION_EMAILS
) -> bool:
    """Count one e-mail of `kind` to `recipient`; False once that mailbox has had `limits`' worth,
    in which case send nothing (and tell the asker the same as when it is sent, so that the
    answer reveals nothing about the address). Shared through Redis like the other limits."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    limiter = current_app.extensions["locator.limiter"]
    mailbox = hashlib.sha256(_mailbox(recipient).encode()).hexdigest()  # no addresses in Redis
    key = (current_app.config["RATELIMIT_KEY_PREFIX"], "email", kind, mailbox)
    # One window at a time: a send refused by the short window does not use up the day's.
    return all(limiter.hit(item, *key) for item in parse_many(limits))
