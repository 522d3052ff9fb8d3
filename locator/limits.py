"""Rate limits on the forms people could abuse (signing in, registering, subscribing), a limit
on wrong passwords per account, and a limit on the e-mails the service sends to an address
(`email_allowed`), whoever asks for them.

Counts live in Redis when `LOCATOR_REDIS_URL` is set, so every worker and node shares them; in
the embedded default they are per process, which is enough for one small server. Each app gets
its own limiter and account throttle (in `app.extensions`), built on the `limits` library.
Limits per client use the address the request came from: behind load balancers or proxies, set
`LOCATOR_PROXY_HOPS` so that it is read from their `X-Forwarded-For` (see `create_app`).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, current_app, request
from limits import parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from .security import security_event

SIGN_IN = "10 per minute; 100 per day"
REGISTER = "5 per minute; 50 per day"
SUBSCRIBE = "5 per minute; 50 per day"
FEEDBACK = "5 per minute; 50 per day"
# E-mails asking someone to confirm something, to any one recipient (per the address, not the
# asker: otherwise many senders could flood one inbox). Shortest window first.
CONFIRMATION_EMAILS = "1 per 10 minutes; 3 per day"
EMAIL_LINKS = "5 per minute; 50 per day"  # asking for a password-reset or confirmation link

# Wrong passwords for one account: this many are free, then each further try waits, a minute
# after the first and twice as long after each next one, up to an hour. A day after the first
# failure (or at a correct password) the count starts again.
ACCOUNT_FREE_TRIES = 5
ACCOUNT_FIRST_WAIT = 60
ACCOUNT_LONGEST_WAIT = 3600
ACCOUNT_MEMORY = 24 * 3600


class AccountThrottle:
    """Wrong passwords per account, from whichever addresses they come. Kept by the address as
    typed (hashed), known account or not, so that the limit itself tells nobody which exist."""

    def __init__(self, storage: Storage, prefix: str, clock: Callable[[], float] = time.time):
        self.storage = storage
        self.prefix = prefix
        self.clock = clock

    def _key(self, email: str, *parts: int) -> str:
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return "/".join([self.prefix, "account", account, *map(str, parts)])

    def wait(self, email: str) -> int:
        """Seconds before this account may be tried again; 0 means now."""
        failures = self.storage.get(self._key(email))
        if failures < ACCOUNT_FREE_TRIES:
            return 0
        last = self.storage.get(self._key(email, failures))  # when the latest failure was
        delay = min(ACCOUNT_FIRST_WAIT * 2 ** (failures - ACCOUNT_FREE_TRIES), ACCOUNT_LONGEST_WAIT)
        return max(0, math.ceil(last + delay - self.clock()))

    def failed(self, email: str) -> None:
        failures = self.storage.incr(self._key(email), ACCOUNT_MEMORY)
        # Each failure's time in a key of its own, so concurrent failures never overwrite one.
        self.storage.incr(self._key(email, failures), ACCOUNT_MEMORY, amount=int(self.clock()))

    def succeeded(self, email: str) -> None:
        failures = self.storage.get(self._key(email))
        for number in range(1, failures + 1):
            self.storage.clear(self._key(email, number))
        self.storage.clear(self._key(email))


def init_app(app: Flask) -> None:
    storage = storage_from_string(app.config.get("REDIS_URL") or "memory://")
    app.extensions["locator.limiter"] = FixedWindowRateLimiter(storage)
    app.extensions["locator.account_throttle"] = AccountThrottle(
        storage, app.config["RATELIMIT_KEY_PREFIX"]
    )


def account_throttle() -> AccountThrottle:
    return current_app.extensions["locator.account_throttle"]


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
                    security_event("rate-limited", endpoint=request.endpoint)
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


def email_allowed(recipient: str, kind: str, limits: str = CONFIRMATION_EMAILS) -> bool:
    """Count one e-mail of `kind` ("subscription", "email-confirmation", "password-reset"...) to
    `recipient`; False once that mailbox has had `limits`' worth of that kind, in which case send
    nothing (and tell the asker the same as when it is sent, so that the answer reveals nothing
    about the address). Shared through Redis like the other limits."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    limiter = current_app.extensions["locator.limiter"]
    mailbox = hashlib.sha256(_mailbox(recipient).encode()).hexdigest()  # no addresses in Redis
    key = (current_app.config["RATELIMIT_KEY_PREFIX"], "email", kind, mailbox)
    # One window at a time: a send refused by the short window does not use up the day's.
    return all(limiter.hit(item, *key) for item in parse_many(limits))
