"""Signed tokens for links in e-mails (itsdangerous, keyed with the app's secret key). Each use
has its own salt, so a token made for one purpose is refused for every other."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class BadToken(ValueError):
    """A link that was altered, is for something else, or has expired (`expired` says which)."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"locator-{purpose}")


def make(secret: str, purpose: str, payload: list) -> str:
    return _serializer(secret, purpose).dumps(payload)


def read(secret: str, purpose: str, token: str, max_age: timedelta | None = None) -> list:
    """The payload `make` signed, or BadToken."""
    try:
        payload = _serializer(secret, purpose).loads(
            token, max_age=max_age.total_seconds() if max_age else None
        )
    except SignatureExpired:
        raise BadToken(expired=True) from None
    except (BadSignature, ValueError, TypeError):
        raise BadToken() from None
    if not isinstance(payload, list):
        raise BadToken()
    return payload
