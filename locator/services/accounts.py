"""User accounts: registering, signing in, passwords, e-mail addresses, ending sessions, deleting.

Nothing here lets a stranger tell whether an address has an account: registering a taken address
raises `EmailTaken` only after the same password hashing as a new one, and signing in to an
unknown address checks the password against a dummy hash, so both take as long either way.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..identifiers import normalise_email
from ..models import User, utcnow
from . import claims, digest, suppliers, tokens

ROLES = ("supplier", "buyer", "admin")
MIN_PASSWORD = 12
MAX_PASSWORD = 128
VERIFY_MAX_AGE = timedelta(days=3)
RESET_MAX_AGE = timedelta(hours=1)
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


class EmailTaken(ValueError):
    """An account already uses this e-mail address (compared case-insensitively)."""


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


@cache
def _common_passwords() -> frozenset[str]:
    """The shipped list (see data/SOURCES.md), lower-cased; entries shorter than the minimum are
    refused for their length anyway."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.lower() for line in lines if len(line) >= MIN_PASSWORD)


def password_problem(password: str) -> str | None:
    """Why a new password will not do, in words for its owner; None if it will."""
    if len(password) < MIN_PASSWORD:
        return f"Password must be at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"Password must be {MAX_PASSWORD} characters or fewer"
    if password.lower() in _common_passwords():
        return (
            "This password is on a list of common passwords that criminals try first. "
            "Choose a different one"
        )
    return None


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def register(session: Session, email: str, password: str, role: str = "supplier") -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    password_hash = generate_password_hash(password)  # before the look-up: the same work if taken
    if find_by_email(session, email):
        raise EmailTaken(email)
    user = User(email=normalise_email(email), password_hash=password_hash, role=role)
    _commit_address(session, user)
    return user


def _commit_address(session: Session, user: User) -> None:
    """Save the account with its address; EmailTaken if another account has just taken it
    (the unique index decides a race that the look-up before could not see)."""
    session.add(user)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise EmailTaken(user.email) from error


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password matches and an admin has not disabled the account; records the
    sign-in time."""
    user = find_by_email(session, email)
    if user is None or user.deleted_at is not None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not password_matches(user, password):
        return None
    if not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()
    return user


def password_matches(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def set_password(session: Session, user: User, password: str, *, by_email: bool = False) -> None:
    """A new password ends every session signed in with the old one. `by_email`: set through a
    link sent to the account's address, which proves the owner reads it."""
    user.password_hash = generate_password_hash(password)
    if by_email and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    _end_sessions(user)
    session.add(user)
    session.commit()


def end_sessions(session: Session, user: User) -> None:
    """Sign the account out everywhere: every session signed in before now stops working."""
    _end_sessions(user)
    session.add(user)
    session.commit()


def _end_sessions(user: User) -> None:
    user.session_version += 1


# Links in e-mails: confirming an address, resetting a password.


def email_token(secret: str, user: User, address: str | None = None) -> str:
    """For a link that confirms the owner reads `address` (by default the account's own)."""
    return tokens.make(secret, "account-email", [user.id, user.email, address or user.email])


def read_email_token(session: Session, secret: str, token: str) -> tuple[User, str]:
    """(the account, the address to confirm), or BadToken; a link stops working once the
    account's address has changed since it was sent."""
    payload = tokens.read(secret, "account-email", token, VERIFY_MAX_AGE)
    user = _live_user(session, payload[0] if len(payload) == 3 else None)
    if user is None or user.email != payload[1] or not isinstance(payload[2], str):
        raise tokens.BadToken()
    return user, payload[2]


def confirm_email(session: Session, user: User, address: str) -> None:
    """The owner reads `address`: record it, moving the account to it if it is a new one."""
    if user.email == address and user.email_verified_at is not None:
        return
    if user.email != address and find_by_email(session, address):
        raise EmailTaken(address)
    user.email = address
    user.email_verified_at = utcnow()
    _commit_address(session, user)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def reset_token(secret: str, user: User) -> str:
    """For a password-reset link: it expires after RESET_MAX_AGE and works once, as it names the
    password it replaces."""
    return tokens.make(secret, "account-reset", [user.id, _password_fingerprint(user)])


def read_reset_token(session: Session, secret: str, token: str) -> User:
    payload = tokens.read(secret, "account-reset", token, RESET_MAX_AGE)
    user = _live_user(session, payload[0] if len(payload) == 2 else None)
    if (
        user is None
        or not isinstance(payload[1], str)
        or not hmac.compare_digest(payload[1], _password_fingerprint(user))
    ):
        raise tokens.BadToken()
    return user


def _live_user(session: Session, user_id) -> User | None:
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.deleted_at is None else None


def delete(session: Session, user: User) -> None:
    """Delete an account: its profile leaves the directory and waits, without the contact's
    details, to be claimed; its claims lose what it wrote; new-arrivals e-mails to its address
    end; the row stays as a tombstone without
    personal data, so records that name the account by id still make sense; every session
    ends. The audit log never held its personal data (`audit.PERSONAL`)."""
    supplier = suppliers.for_owner(session, user)
    if supplier is not None:
        suppliers.release(session, supplier)
    claims.forget(session, user)
    digest.forget(session, user.email)
    user.email = f"deleted-{user.id}"  # not an address: nobody can sign in or register as it
    user.password_hash = ""  # nosec B105  # not a password: an empty hash matches none
    user.email_verified_at = None
    user.last_login_at = None
    user.deleted_at = utcnow()
    _end_sessions(user)
    session.add(user)
    session.commit()


def make_admin(session: Session, email: str, password: str) -> tuple[User, bool]:
    """Promote an existing account to admin, or create one. Returns (user, created)."""
    user = find_by_email(session, email)
    if user is None:
        return register(session, email, password, role="admin"), True
    user.role = "admin"
    session.add(user)
    session.commit()
    return user, False
