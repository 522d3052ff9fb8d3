"""User accounts: registering, signing in, and making administrators."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import User, utcnow

ROLES = ("supplier", "buyer", "admin")


class EmailTaken(ValueError):
    """An account already uses this e-mail address (compared case-insensitively)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def register(session: Session, email: str, password: str, role: str = "supplier") -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if find_by_email(session, email):
        raise EmailTaken(email)
    user = User(
        email=normalise_email(email), password_hash=generate_password_hash(password), role=role
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as error:  # a simultaneous registration won the race
        session.rollback()
        raise EmailTaken(email) from error
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the password matches and an admin has not disabled the account; records the
    sign-in time."""
    user = find_by_email(session, email)
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    if not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.add(user)
    session.commit()
    return user


def make_admin(session: Session, email: str, password: str) -> tuple[User, bool]:
    """Promote an existing account to admin, or create one. Returns (user, created)."""
    user = find_by_email(session, email)
    if user is None:
        return register(session, email, password, role="admin"), True
    user.role = "admin"
    session.add(user)
    session.commit()
    return user, False
